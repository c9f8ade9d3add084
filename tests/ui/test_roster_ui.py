"""The roster kept by hand through the real widgets: a student who transfers in is typed in and
opened, a transfer out is dated, and the import wizard saves a template it reads back."""

import datetime as dt
import random

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPushButton,
)

from app.services import roster_import, students
from app.services.synthetic import synthetic_student_no
from app.ui.application import Shell
from app.ui.ops import Ops
from app.ui.roster_dialogs import StatusDialog, StudentForm
from tests.ui.modals import answer_modals, click_ok, no, type_text

NEW_NO = synthetic_student_no(random.Random(9), dt.date(2011, 10, 2), "M", 901)


@pytest.fixture
def shell(qtbot, populated_vault):
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.enter(populated_vault)
    shell.show()
    yield shell
    shell.lock()


def test_a_student_typed_in_is_saved_and_their_archive_opens(qtbot, shell):
    page = shell.workspace.students
    QTest.mouseClick(page.findChild(QPushButton, "add_student_button"), Qt.MouseButton.LeftButton)
    form = page.findChild(StudentForm)
    assert form is not None and form.isVisible()
    type_text(form.findChild(QLineEdit, "student_no_edit"), NEW_NO)
    type_text(form.findChild(QLineEdit, "student_name_edit"), "陈思远")
    form.grade.setCurrentIndex(form.grade.findData(9))
    form.class_no.setValue(12)
    type_text(form.findChild(QLineEdit, "guardian_name_edit"), "陈国平")
    type_text(form.findChild(QLineEdit, "guardian_phone_edit"), "13700001111")
    click_ok(form)
    archive = shell.workspace.archive
    assert archive is not None
    title = archive.findChild(QLabel, "archive_title").text()
    assert "陈思远" in title and "九年级12班" in title and NEW_NO in title
    assert page.grade.findText("九年级") > 0  # the filters know the grade now


def test_a_refused_student_number_keeps_the_form_open_with_the_reason(qtbot, shell):
    page = shell.workspace.students
    QTest.mouseClick(page.findChild(QPushButton, "add_student_button"), Qt.MouseButton.LeftButton)
    form = page.findChild(StudentForm)
    type_text(form.findChild(QLineEdit, "student_no_edit"), "G123")
    type_text(form.findChild(QLineEdit, "student_name_edit"), "陈思远")
    click_ok(form)
    assert form.isVisible()
    assert form.error.text().startswith("学籍号：")


def test_a_transfer_out_is_dated_in_the_archive(qtbot, shell, populated_vault):
    student = students.search_students(populated_vault, limit=1)[0]
    shell.workspace.open_student(student.id)
    archive = shell.workspace.archive
    QTest.mouseClick(archive.findChild(QPushButton, "status_button"), Qt.MouseButton.LeftButton)
    dialog = archive.findChild(StatusDialog)
    assert dialog.status.currentData() == "transferred"  # what an enrolled student's change is
    date = dialog.findChild(QLineEdit, "date_text")
    date.clear()
    type_text(date, "2026-11-30")
    type_text(dialog.findChild(QLineEdit, "status_note_edit"), "随父母迁往广州")
    click_ok(dialog)
    status = shell.workspace.archive.findChild(QLabel, "archive_status_label").text()
    assert "转出" in status and "2026-11-30" in status and "随父母迁往广州" in status


def test_the_import_wizard_saves_a_template_that_it_reads_back(qtbot, shell, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # where the save dialog starts
    page = shell.workspace.students
    QTest.mouseClick(page.findChild(QPushButton, "import_button"), Qt.MouseButton.LeftButton)
    wizard = QApplication.activeModalWidget()
    QTest.mouseClick(wizard.findChild(QPushButton, "template_button"), Qt.MouseButton.LeftButton)
    dialog = wizard.findChild(QFileDialog, "template_save_dialog")
    assert dialog is not None and dialog.isVisible()
    box = dialog.findChild(QDialogButtonBox)
    save = box.button(QDialogButtonBox.StandardButton.Save)
    QTest.mouseClick(save, Qt.MouseButton.LeftButton)  # the name it offers: 学生名册模板.xlsx
    target = tmp_path / "学生名册模板.xlsx"
    qtbot.waitUntil(target.exists, timeout=5000)
    preview = roster_import.preview_roster(target)
    assert (preview.rows, preview.problems) == ([], [])
    wizard.reject()


def test_esc_asks_before_a_typed_student_is_thrown_away(qtbot, shell):
    page = shell.workspace.students
    QTest.mouseClick(page.findChild(QPushButton, "add_student_button"), Qt.MouseButton.LeftButton)
    form = page.findChild(StudentForm)
    type_text(form.findChild(QLineEdit, "student_name_edit"), "陈思远")
    seen = answer_modals(no)
    QTest.keyClick(form, Qt.Key.Key_Escape)
    assert seen == ["尚未保存"] and form.isVisible()


def test_a_second_guardian_is_typed_into_the_table_and_saved(qtbot, shell):
    from app.services import roster_edit
    from app.ui.roster_dialogs import GuardiansDialog

    kid = students.search_students(shell.vault, limit=1)[0]
    shell.workspace.open_student(kid.id)
    archive = shell.workspace.archive
    QTest.mouseClick(archive.findChild(QPushButton, "guardians_button"), Qt.MouseButton.LeftButton)
    dialog = archive.findChild(GuardiansDialog)
    table = dialog.table
    table.setFocus()
    row = table.rowCount() - 1  # the empty row below the known guardian
    for column, words in enumerate(("李红", "母亲", "13900139000")):
        table.setCurrentCell(row, column)
        QTest.keyClick(table, Qt.Key.Key_F2)
        [editor] = [e for e in table.findChildren(QLineEdit) if e.isVisible()]
        type_text(editor, words)
        QTest.keyClick(editor, Qt.Key.Key_Return)
    click_ok(dialog)
    assert not dialog.isVisible()
    names = [g.name for g in roster_edit.guardians_of(shell.vault, kid.id)]
    assert names[-1] == "李红" and len(names) == 2


def test_a_status_change_on_the_timeline_opens_to_read_not_to_change(qtbot, shell):
    from app.services import records, roster_edit
    from app.ui.record_form import RecordForm

    kid = students.search_students(shell.vault, limit=1)[0]
    roster_edit.change_status(shell.vault, kid.id, "transferred", dt.date.today(), "迁往广州")
    [entry] = [e for e in records.timeline(shell.vault, kid.id) if e.kind == "status_change"]
    form = RecordForm(
        shell.vault, "status_change", record=records.get_record(shell.vault, entry.id)
    )
    qtbot.addWidget(form)
    save = form.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    assert not save.isEnabled()
    from PySide6.QtWidgets import QToolButton

    from app.ui.timeline_view import TimelineView

    view = TimelineView(shell.vault, kid.id)
    qtbot.addWidget(view)
    menu = view.findChild(QToolButton, "new_record_menu").menu()
    labels = [a.text() for a in menu.actions()]
    assert "学籍变动" not in labels and "复学" in labels  # never written by hand
