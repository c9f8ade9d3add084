"""A counselor's first session of the day, by keyboard and mouse only: unlock, find the student
by pinyin initials, Ctrl+N, type the session, save, print the case file to a PDF printer."""

import subprocess

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QDialog, QPlainTextEdit, QPushButton

from app.roster.names import pinyin_keys
from app.services import records, students
from app.ui.application import Shell
from app.ui.ops import Ops
from tests.conftest import PASSPHRASE
from tests.ui.modals import answer_modals, click_ok, print_to_file, type_text


def _pick(combo: QComboBox, text: str) -> None:
    """Open the drop-down with the keyboard and walk to the entry, as a person would."""
    combo.setFocus()
    while combo.currentText() != text:
        QTest.keyClick(combo, Qt.Key.Key_Down)


def test_unlock_search_session_save_and_print_by_keyboard_and_mouse(
    qtbot, populated_vault, tmp_path
):
    import datetime as dt

    kid = students.search_students(populated_vault, limit=1)[0]
    records.create_record(  # the intake was last week
        populated_vault,
        "case",
        student_id=kid.id,
        occurred_at=dt.datetime.now() - dt.timedelta(days=7),
        title="考试焦虑",
        body={"problems": ["academic"]},
    )
    populated_vault.lock()
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.show_on_screen()
    shell.activateWindow()
    assert QTest.qWaitForWindowActive(shell)

    view = shell.unlock_view
    view.passphrase.setFocus()
    type_text(view.passphrase, PASSPHRASE)
    QTest.keyClick(view.passphrase, Qt.Key.Key_Return)
    ws = shell.workspace
    assert ws is not None

    initials = pinyin_keys(kid.name)[1]
    QTest.mouseClick(
        ws.nav.viewport(),
        Qt.MouseButton.LeftButton,
        pos=ws.nav.visualItemRect(ws.nav.item(1)).center(),
    )
    qtbot.keyClicks(ws.students.search, initials)
    qtbot.waitUntil(
        lambda: (
            kid.name
            in [ws.students.model.row_at(i).name for i in range(ws.students.model.rowCount())]
        )
    )
    row = next(
        i for i in range(ws.students.model.rowCount()) if ws.students.model.row_at(i).id == kid.id
    )
    table = ws.students.table
    QTest.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=table.visualRect(table.model().index(row, 0)).center(),
    )
    QTest.keyClick(table, Qt.Key.Key_Return)
    archive = ws.archive
    assert archive is not None and archive.student_id == kid.id

    QTest.keyClick(archive, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = next(d for d in shell.findChildren(QDialog, "record_form") if d.isVisible())
    assert form.windowTitle().startswith(f"个体辅导 · {kid.name}")
    assert "考试焦虑" in form.findChild(QComboBox, "field_case").currentText()
    for field, choice in (
        ("field_risk_suicide", "无"),
        ("field_risk_self_harm", "无"),
        ("field_risk_others", "低"),
    ):
        _pick(form.findChild(QComboBox, field), choice)
    complaint = form.findChild(QPlainTextEdit, "section_complaint")
    complaint.setFocus()
    type_text(complaint, "期中考试前心慌，入睡困难")
    click_ok(form)
    assert not form.isVisible(), form.error.text()
    [saved] = [e for e in records.timeline(ws.vault, kid.id) if e.kind == "session"]
    assert archive.timeline.table.model().rowCount() >= 2

    QTest.mouseClick(
        archive.findChild(QPushButton, "print_case_file_button"), Qt.MouseButton.LeftButton
    )
    choose = next(
        d for d in shell.findChildren(QDialog) if d.objectName() == "case_file_print_dialog"
    )
    click_ok(choose)
    preview = choose.preview
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=preview.pdf, capture_output=True, check=True
    ).stdout.decode()
    assert kid.name in text and "期中考试前心慌，入睡困难" in text and kid.student_no in text
    out = tmp_path / "printed.pdf"
    seen = answer_modals(print_to_file(str(out)))
    QTest.mouseClick(preview.findChild(QPushButton, "print_button"), Qt.MouseButton.LeftButton)
    assert seen == ["打印"]
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    pages = [line.split() for line in info.stdout.splitlines() if line.startswith("Pages:")]
    assert pages == [["Pages:", str(len(preview.images))]]
    preview.close()
    shell.lock()
