"""Reads are reads: a use case that only reads runs in a deferred transaction that refuses any
write, and the next writing session is not affected."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from app.models import Student
from app.services import students


def test_a_reading_session_refuses_a_write(populated_vault):
    with pytest.raises(OperationalError, match="readonly"), populated_vault.reading() as s:
        s.execute(text("UPDATE student SET name = '改了' WHERE 1"))
    with populated_vault.session() as s:
        assert "改了" not in set(s.scalars(select(Student.name)))


def test_a_write_after_a_read_goes_through(populated_vault):
    assert students.count_students(populated_vault) == 120
    with populated_vault.session() as s:
        s.scalars(select(Student)).first().name = "写得进去"
    with populated_vault.reading() as s:
        assert "写得进去" in set(s.scalars(select(Student.name)))


def test_a_backup_after_a_read_is_written(populated_vault, tmp_path):
    from app.services import backups

    students.search_students(populated_vault, limit=5)
    assert backups.backup(populated_vault, tmp_path / "b").path.exists()
