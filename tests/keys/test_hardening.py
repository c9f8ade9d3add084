"""Nothing confidential in logs, crash reports, the clipboard, temp files; one instance; 0600."""

import logging
import os
import stat
import sys
import tempfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLineEdit

from app.crash import crash_dir, write_report
from app.logs import configure_logging, redact
from app.services import assessments, backups, printing, records, roster_import, students, synthetic
from app.vault.instance import InstanceLock, VaultInUse


def test_redaction_masks_names_student_numbers_phones_and_mail():
    text = redact("opened 张小明 G449900201206240123 tel 17012345678 mail a.b@school.cn seq 42")
    assert text == "opened ‹…› ‹…› tel ‹…› mail ‹…› seq 42"


@pytest.fixture
def scripted_session(vault, tmp_path, monkeypatch):
    """A teacher's day through the services, with every logger at DEBUG (SQL included) and the
    temp directory pointed at an empty folder we can inspect afterwards."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    log_path = configure_logging(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    kids = synthetic.generate_students(60, seed=21)
    roster = synthetic.write_roster_xlsx(tmp_path / "roster.xlsx", kids)
    try:
        roster_import.import_roster(vault, roster)
        logging.getLogger("app.test").info("looking at %s (%s)", kids[0].name, kids[0].student_no)
        found = students.search_students(vault, students.StudentFilter(query=kids[1].name[:1]))
        sid = found[0].id
        students.student_archive(vault, sid)
        assessments.record_result(vault, sid, "PHQ-9", [2] * 9, mode="paper")
        import datetime as dt

        records.create_record(
            vault,
            "session",
            occurred_at=dt.datetime(2026, 11, 2, 10),
            student_id=sid,
            body={
                "risk_suicide": "none",
                "risk_self_harm": "none",
                "risk_others": "none",
                "sections": {"complaint": kids[2].name},
            },
        )
        printing.case_file(vault, sid)
        backups.backup(vault, tmp_path / "usb")
        try:
            raise ValueError(f"cannot place {kids[3].name} {kids[3].student_no}")
        except ValueError:
            logging.getLogger("app.test").exception("a failure while handling a student")
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
        for h in logging.getLogger().handlers:
            h.flush()
    return kids, log_path, tmp


def _secrets(kids) -> list[bytes]:
    return (
        [k.name.encode() for k in kids]
        + [k.student_no.encode() for k in kids]
        + [k.guardian_phone.encode() for k in kids]
    )


def test_the_log_of_a_full_session_holds_no_student_data(scripted_session):
    kids, log_path, _tmp = scripted_session
    data = b"".join(p.read_bytes() for p in log_path.parent.glob("xindang.log*"))
    assert b"INSERT INTO student" in data or b"student" in data  # the log was really written
    for secret in _secrets(kids):
        assert secret not in data


def test_no_plaintext_temp_file_is_left_or_written(scripted_session):
    kids, _log, tmp = scripted_session
    for path in tmp.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            for secret in _secrets(kids):
                assert secret not in content, path


def test_a_crash_report_names_the_place_not_the_student(tmp_path):
    try:
        raise RuntimeError("could not print 张小明 G449900201206240123")
    except RuntimeError:
        path = write_report(*sys.exc_info())
    text = path.read_text("utf-8")
    assert path.parent == crash_dir()
    assert "RuntimeError" in text and "test_hardening.py" in text
    assert "张小明" not in text and "G449900201206240123" not in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_copied_text_leaves_the_clipboard_after_the_timeout(qtbot):
    from app.ui.clipboard_guard import ClipboardGuard

    field = QLineEdit("林小雨 G449900201206240123")
    qtbot.addWidget(field)
    field.show()
    field.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is not None)
    guard = ClipboardGuard(seconds=0.2)
    field.selectAll()
    field.copy()
    assert QApplication.clipboard().text() == "林小雨 G449900201206240123"
    qtbot.waitUntil(lambda: QApplication.clipboard().text() == "", timeout=3000)
    guard.deleteLater()


def test_a_second_instance_of_the_same_vault_is_refused(vault):
    first = InstanceLock(vault.root).acquire()
    with pytest.raises(VaultInUse):
        InstanceLock(vault.root).acquire()
    first.release()
    InstanceLock(vault.root).acquire().release()


def test_vault_backup_and_log_files_are_owner_only(scripted_session, vault, tmp_path):
    _kids, log_path, _tmp = scripted_session
    checked = 0
    for base in (Path(vault.root), tmp_path / "usb", log_path.parent):
        for path in [base, *base.rglob("*")]:
            mode = stat.S_IMODE(os.stat(path).st_mode)
            assert mode & 0o077 == 0, f"{path} is {oct(mode)}"
            checked += 1
    assert checked > 6
