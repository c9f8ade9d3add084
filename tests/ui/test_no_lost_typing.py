"""No lost typing: Esc on a form with unsaved text asks first; No keeps every character."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPlainTextEdit, QPushButton

from app.services import records, students
from app.ui.record_form import RecordForm
from tests.ui.modals import answer_modals, no, press_in_modal, type_text, yes


def _form(qtbot, vault):
    kid = students.search_students(vault, limit=1)[0]
    form = RecordForm(vault, "observation", student_id=kid.id)
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    assert QTest.qWaitForWindowActive(form)
    return kid, form


def test_esc_on_an_untouched_form_closes_it_without_a_question(qtbot, populated_vault):
    _kid, form = _form(qtbot, populated_vault)
    QTest.keyClick(form, Qt.Key.Key_Escape)
    assert not form.isVisible()


def test_esc_after_typing_asks_and_no_keeps_the_text(qtbot, populated_vault):
    kid, form = _form(qtbot, populated_vault)
    edit = form.findChild(QPlainTextEdit, "field_content")
    edit.setFocus()
    type_text(edit, "课间独自坐在走廊")
    seen = answer_modals(no)
    QTest.keyClick(edit, Qt.Key.Key_Escape)
    assert seen == ["尚未保存"]
    assert form.isVisible() and edit.toPlainText() == "课间独自坐在走廊"
    answer_modals(yes)
    QTest.keyClick(edit, Qt.Key.Key_Escape)
    assert not form.isVisible()
    assert [e for e in records.timeline(populated_vault, kid.id) if e.kind == "observation"] == []


def test_closing_paper_entry_with_typed_answers_asks_first(qtbot, populated_vault):
    from app.ui.paper_entry_dialog import PaperEntryDialog

    dialog = PaperEntryDialog(populated_vault, scale_id="GAD-7")
    qtbot.addWidget(dialog)
    dialog.show()
    for key in "1120":
        qtbot.keyClick(dialog.grid, key)
    seen = answer_modals(no)
    QTest.mouseClick(
        next(b for b in dialog.findChildren(QPushButton) if b.text() == "关闭"),
        Qt.MouseButton.LeftButton,
    )
    assert seen == ["尚未保存"] and dialog.isVisible()
    assert [dialog.grid.item(0, c).text() for c in range(4)] == ["1", "1", "2", "0"]


def test_an_idle_lock_keeps_the_typing_as_a_draft_and_offers_it_after_unlock(
    qtbot, populated_vault
):
    from PySide6.QtWidgets import QDialog

    from app.services import drafts
    from app.ui.application import Shell
    from app.ui.ops import Ops
    from tests.conftest import PASSPHRASE
    from tests.ui.modals import press_enter

    kid = students.search_students(populated_vault, limit=1)[0]
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.show()
    shell.activateWindow()
    assert QTest.qWaitForWindowActive(shell)
    shell.enter(populated_vault)
    shell.workspace.open_student(kid.id)
    QTest.keyClick(shell.workspace.archive, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = next(d for d in shell.findChildren(QDialog, "record_form") if d.isVisible())
    complaint = form.findChild(QPlainTextEdit, "section_complaint")
    complaint.setFocus()
    type_text(complaint, "失眠两周，担心期末考试")

    shell.idle.minutes = 0.002  # 0.12 s without a key or a click
    QTest.qWait(300)
    shell.idle.check()
    assert shell.vault is None and not form.isVisible()
    raw = (populated_vault.root / "archive.db").read_bytes()
    assert "失眠两周".encode() not in raw  # kept inside the encrypted vault, not beside it

    seen = answer_modals(lambda box: press_in_modal(box.button(box.StandardButton.Open)))
    view = shell.unlock_view
    view.passphrase.setFocus()
    type_text(view.passphrase, PASSPHRASE)
    press_enter(view.passphrase)
    assert seen == ["未保存的草稿"]
    reopened = next(d for d in shell.findChildren(QDialog, "record_form") if d.isVisible())
    text = reopened.findChild(QPlainTextEdit, "section_complaint").toPlainText()
    assert text == "失眠两周，担心期末考试"
    assert drafts.drafts(shell.vault) == []
    reopened.done(0)
    shell.lock()
