"""The audit log: hash-chained, metadata only, and verifiable."""

from sqlalchemy import select, text

from app.db import audit
from app.models import AuditEntry
from app.services import students


def test_a_fresh_chain_verifies(populated_vault):
    with populated_vault.session() as s:
        report = audit.verify(s)
    assert report.ok and report.first_broken is None and report.entries >= 2


def test_viewing_an_archive_is_audited_by_id_only(populated_vault, roster_students):
    row = students.search_students(populated_vault)[0]
    students.student_archive(populated_vault, row.id)
    with populated_vault.session() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (last.action, last.object_type, last.object_id) == ("view_student", "student", row.id)


def test_no_audit_entry_carries_a_name(populated_vault, roster_students):
    for row in students.search_students(populated_vault, limit=5):
        students.student_archive(populated_vault, row.id)
    with populated_vault.session() as s:
        dump = " ".join(
            f"{e.action}{e.object_type}{e.object_id}{e.detail}"
            for e in s.scalars(select(AuditEntry))
        )
    assert not any(st.name in dump or st.student_no in dump for st in roster_students)


def view_some(vault, n=4):
    for row in students.search_students(vault, limit=n):
        students.student_archive(vault, row.id)


def test_an_edited_entry_is_named_as_the_first_break(populated_vault):
    view_some(populated_vault)
    with populated_vault.session() as s:
        s.execute(text('UPDATE audit_log SET detail = \'{"file": "forged"}\' WHERE seq = 3'))
    with populated_vault.session() as s:
        report = audit.verify(s)
    assert not report.ok and report.first_broken == 3


def test_a_deleted_entry_breaks_the_chain_where_it_was(populated_vault):
    view_some(populated_vault)
    with populated_vault.session() as s:
        s.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    with populated_vault.session() as s:
        report = audit.verify(s)
    assert not report.ok and report.first_broken == 2


def test_the_import_is_audited_with_counts_and_file_name(populated_vault):
    with populated_vault.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
    assert '"created": 120' in entry.detail and '"file": "roster.csv"' in entry.detail
