"""Paper entry that cannot shift: a refused key says why and leaves the cursor on its item, a
sheet with blanks is saved only when the counselor says so, Tab leaves the grid, and the grid
names each student with their 学籍号."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.services import assessments
from app.ui.paper_entry_dialog import PaperEntryDialog
from tests.ui.modals import answer_modals, click, press, yes


def _discard(dialog) -> None:
    """Esc, and 是 to the question that guards typed sheets."""
    answer_modals(yes)
    QTest.keyClick(dialog.grid, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def _dialog(qtbot, vault):
    dialog = PaperEntryDialog(vault, scale_id="GAD-7")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.grid.setFocus()
    return dialog


def test_a_refused_key_is_said_and_the_next_digit_goes_into_the_same_item(qtbot, populated_vault):
    dialog = _dialog(qtbot, populated_vault)
    grid = dialog.grid
    QTest.keyClick(grid, Qt.Key.Key_2)
    QTest.keyClick(grid, Qt.Key.Key_6)  # GAD-7 answers are 0–3
    assert dialog.hint.text().startswith("第 2 题：6 不是本答卷的选项（只能填 0、1、2、3）")
    assert (grid.currentRow(), grid.currentColumn(), grid.item(0, 1).text()) == (0, 1, "")
    QTest.keyClick(grid, Qt.Key.Key_1)
    assert grid.item(0, 1).text() == "1" and dialog.hint.text() == ""
    assert grid.currentColumn() == 2
    _discard(dialog)


def test_the_grid_names_each_student_with_their_student_number(qtbot, populated_vault):
    dialog = _dialog(qtbot, populated_vault)
    grid = dialog.grid
    first = grid.rows[0]
    assert grid.verticalHeaderItem(0).text() == f"{first.name}  {first.student_no}"


def test_tab_leaves_the_grid_for_the_next_control(qtbot, populated_vault):
    dialog = _dialog(qtbot, populated_vault)
    dialog.activateWindow()
    dialog.grid.setFocus()
    QTest.keyClick(dialog.grid, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not dialog.grid


def test_a_sheet_with_blanks_waits_for_an_explicit_choice(qtbot, populated_vault):
    dialog = _dialog(qtbot, populated_vault)
    grid = dialog.grid
    student = grid.rows[0]
    for key in "11":
        QTest.keyClick(grid, key)
    said = []

    def read_then(button):
        def handle(box):
            said.append(box.text())
            press(button)(box)

        return handle

    answer_modals(read_then("返回补录"))
    click(dialog.save_button)
    assert "第 3、4、5、6、7 题未填" in said[0] and student.name in said[0]
    assert assessments.history(populated_vault, student.id) == []
    assert (grid.currentRow(), grid.currentColumn()) == (0, 2)  # back on the first blank
    answer_modals(read_then("按未完成保存"))
    click(dialog.save_button)
    [saved] = assessments.history(populated_vault, student.id)
    assert saved.missing_items == (3, 4, 5, 6, 7) and not saved.valid
    assert dialog.status.text() == f"已保存 1 张答卷：{student.name}。"
