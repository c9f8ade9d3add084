"""Views are never stale: a change on one page (or from the command line) shows on the others."""

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton

from app.services import records, students
from app.ui.application import Shell
from app.ui.ops import Ops
from tests.ui.modals import answer_modals, press_in_modal, type_text


def _shell(qtbot, vault) -> Shell:
    shell = Shell(vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.show()
    shell.enter(vault)
    return shell


def test_a_warning_raised_in_the_archive_shows_on_home_and_in_the_queue(qtbot, populated_vault):
    kid = students.search_students(populated_vault, limit=1)[0]
    shell = _shell(qtbot, populated_vault)
    ws = shell.workspace
    assert ws.home.levels["orange"].text().endswith("\n0")
    ws.open_student(kid.id)

    def fill(dialog):
        combo = dialog.findChild(QComboBox, "manual_level_combo")
        combo.setCurrentIndex(combo.findData("orange"))
        edit = dialog.findChild(QLineEdit, "manual_reason_edit")
        edit.setFocus()
        type_text(edit, "班主任反映连续三天未进食午餐")
        ok = next(b for b in dialog.findChildren(QPushButton) if b.text() in ("OK", "确定"))
        press_in_modal(ok)

    answer_modals(fill)
    QTest.mouseClick(
        ws.archive.findChild(QPushButton, "archive_manual_warning"), Qt.MouseButton.LeftButton
    )
    QTest.qWait(50)
    assert ws.home.levels["orange"].text().endswith("\n1")
    names = [ws.warnings.table.text(r, 1) for r in range(ws.warnings.table.rowCount())]
    assert kid.name in names
    assert shell.statusBar().currentMessage().startswith("已保存")
    shell.lock()


def test_a_record_saved_elsewhere_appears_in_the_open_timeline(qtbot, populated_vault):
    kid = students.search_students(populated_vault, limit=1)[0]
    shell = _shell(qtbot, populated_vault)
    ws = shell.workspace
    ws.open_student(kid.id)
    before = ws.archive.timeline.table.model().rowCount()
    records.create_record(  # as the command line or a second window would
        populated_vault,
        "observation",
        student_id=kid.id,
        occurred_at=dt.datetime.now(),
        body={"source_role": "head_teacher", "content": "课间独处"},
    )
    QTest.qWait(50)
    assert ws.archive.timeline.table.model().rowCount() == before + 1
    assert shell.statusBar().currentMessage().startswith("已保存")
    shell.lock()
