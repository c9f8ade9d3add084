"""Every release's vault opens with this code, migrated to head, with its data intact.

Each release adds a folder under tests/fixtures/vaults/ made with that release's own code
(`make_fixture.py` says how), its database kept as SQL text and rebuilt under its own key here
(`database_text.py`); this test opens each as a school upgrading would.
"""

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db import audit
from app.db.migrate import head_revision
from app.models import Student
from app.services import assessments, records, students, vaults
from tests.fixtures.vaults.database_text import rebuild_database

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vaults"
RELEASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "fixture.json").exists())


def test_there_is_a_fixture_for_the_first_release():
    assert "0.1.0" in RELEASES


@pytest.fixture(params=RELEASES)
def upgraded(request, tmp_path):
    shutil.copytree(FIXTURES / request.param, tmp_path / "vault")
    facts = json.loads((tmp_path / "vault" / "fixture.json").read_text("utf-8"))
    rebuild_database(tmp_path / "vault", facts["passphrase"], facts["login"])
    v = vaults.unlock(tmp_path / "vault", facts["passphrase"], facts["login"])
    yield v, facts
    v.lock()


def test_it_opens_at_the_newest_schema_with_every_student(upgraded):
    v, facts = upgraded
    with v.session() as s:
        assert s.scalar(select(func.count()).select_from(Student)) == facts["students"]
        assert (
            s.connection().exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            == head_revision()
        )


def test_the_counselors_records_and_results_read_as_written(upgraded):
    v, facts = upgraded
    kid = next(
        r for r in students.search_students(v, limit=100) if r.student_no == facts["student_no"]
    )
    texts = [
        str(records.get_record(v, e.id).body)
        for e in records.timeline(v, kid.id, include_private=True)
        if e.kind != "assessment"
    ]
    assert any(facts["session_text"] in t for t in texts)
    assert any(facts["private_text"] in t for t in texts)
    assert students.student_archive(v, kid.id).diagnosis_note == facts["diagnosis"]
    assert [r.total for r in assessments.history(v, kid.id)] == [10]


def test_the_audit_chain_still_verifies_and_grows(upgraded):
    v, _facts = upgraded
    with v.session() as s:
        report = audit.verify(s)
    assert report.ok and report.entries > 10


def test_after_the_upgrade_the_clinical_text_is_sealed_at_rest(upgraded):
    import sqlcipher3

    v, facts = upgraded
    key = bytes(bytearray(v.database_key()))  # the lock wipes the vault's own
    v.lock()
    conn = sqlcipher3.connect(str(v.root / "archive.db"))
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    dump = repr(conn.execute("SELECT * FROM record").fetchall())
    dump += repr(conn.execute("SELECT * FROM student").fetchall())
    conn.close()
    for canary in (facts["session_text"], facts["private_text"], facts["diagnosis"]):
        assert canary not in dump
    vaults.unlock(v.root, facts["passphrase"], facts["login"]).lock()


def test_what_falls_due_is_listed_after_the_upgrade(upgraded):
    """Due dates are kept in an indexed column since schema 0008; the migration fills it."""
    import datetime as dt

    v, facts = upgraded
    due = records.upcoming(v, dt.datetime(2031, 1, 1), now=dt.datetime(2026, 12, 6))
    assert [(u.when.isoformat(), u.what) for u in due] == [
        (facts["follow_up_on"] + "T08:00:00", "跟进：家校联系"),
        (facts["next_session"], "下次辅导"),
    ]
