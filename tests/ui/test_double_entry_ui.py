"""Double entry through the real widgets: two people, blind passes, 核对 by the paper."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from app.services import assessments, double_entry
from app.ui.paper_entry_dialog import PaperEntryDialog
from app.ui.reconcile_dialog import ReconcileDialog
from tests.ui.modals import answer_modals, click, click_ok, press, type_and_ok


def type_row(qtbot, grid, keys: str) -> None:
    for key in keys:
        qtbot.keyClick(grid, key)


def double_dialog(qtbot, vault) -> PaperEntryDialog:
    dialog = PaperEntryDialog(vault, scale_id="GAD-7")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.double, Qt.MouseButton.LeftButton)
    assert dialog.double.isChecked()
    return dialog


def test_the_first_pass_is_kept_in_the_vault_not_the_archive(qtbot, populated_vault):
    dialog = double_dialog(qtbot, populated_vault)
    assert "第一遍" in dialog.status.text()
    pupil = dialog.grid.rows[0].id
    type_row(qtbot, dialog.grid, "1111111")
    click_ok(dialog)
    assert "已保存 1 份答卷的第一遍" in dialog.status.text()
    assert assessments.history(populated_vault, pupil) == []
    assert [s.student_id for s in double_entry.open_sheets(populated_vault)] == [pupil]


def test_a_second_person_types_blind_and_differences_go_to_reconciliation(
    qtbot, populated_vault, li
):
    first = double_dialog(qtbot, populated_vault)
    pupil = first.grid.rows[0].id
    type_row(qtbot, first.grid, "1111111")
    click_ok(first)
    second = double_dialog(qtbot, li)
    assert "第二遍" in second.status.text() and "王老师" in second.status.text()
    assert second.grid.item(0, 0).text() == ""  # the first pass is never shown
    type_row(qtbot, second.grid, "1111112")
    click_ok(second)
    assert "1 份答卷两遍不一致" in second.status.text()
    reconcile = second.findChild(ReconcileDialog)
    table = reconcile.table
    assert [table.item(0, c).text() for c in range(7)] == [
        second.grid.rows[0].name,
        second.grid.rows[0].student_no,
        "GAD-7",
        "7",
        "第 1 行第 7 格",
        "1（王老师）",
        "2（李老师）",
    ]
    assert assessments.history(populated_vault, pupil) == []
    qtbot.keyClick(table, "3")  # the paper shows 3: a third value
    click(reconcile.findChild(QPushButton, "reconcile_save_button"))
    [row] = assessments.history(populated_vault, pupil)
    assert row.total == 9  # six 1s and the paper's 3
    assert reconcile.findChild(QLabel, "reconcile_summary").text().startswith("1 份答卷已入档")


def test_the_arrow_keys_take_one_pass_and_jump_to_the_next_difference(qtbot, populated_vault, li):
    first = double_dialog(qtbot, populated_vault)
    type_row(qtbot, first.grid, "11111110000000")
    click_ok(first)
    second = double_dialog(qtbot, li)
    type_row(qtbot, second.grid, "21111110000003")
    click_ok(second)
    table = second.findChild(ReconcileDialog).table
    assert table.rowCount() == 2 and table.currentRow() == 0
    qtbot.keyClick(table, Qt.Key.Key_Left)  # the first pass's 1
    assert table.currentRow() == 1
    qtbot.keyClick(table, Qt.Key.Key_Right)  # the second pass's 3
    taken = [table.item(0, 5).text()[0], table.item(1, 6).text()[0]]
    assert [table.item(r, 7).text() for r in range(2)] == taken
    assert sorted(taken) == ["0", "2"] or sorted(taken) == ["1", "3"]


def test_the_same_person_types_a_second_pass_only_with_a_reason(qtbot, populated_vault):
    dialog = double_dialog(qtbot, populated_vault)
    pupil = dialog.grid.rows[0].id
    type_row(qtbot, dialog.grid, "1111111")
    click_ok(dialog)
    type_row(qtbot, dialog.grid, "1111111")
    seen = answer_modals(type_and_ok("本校只有一名心理教师"))
    click_ok(dialog)
    assert seen == ["同一人录入第二遍"]
    [row] = assessments.history(populated_vault, pupil)
    assert row.total == 7


def test_refusing_the_reason_keeps_the_typed_pass_on_screen(qtbot, populated_vault):
    dialog = double_dialog(qtbot, populated_vault)
    type_row(qtbot, dialog.grid, "1111111")
    click_ok(dialog)
    type_row(qtbot, dialog.grid, "2222222")
    answer_modals(press("取消", "Cancel"))
    click_ok(dialog)
    assert dialog.grid.item(0, 0).text() == "2"
    [sheet] = double_entry.open_sheets(populated_vault)
    assert sheet.awaiting == "second_pass"


def test_the_plan_says_how_often_the_two_passes_agreed(qtbot, populated_vault, li):
    import datetime as dt

    from app.services import plans, students
    from app.ui.assessments_page import AssessmentsPage

    cls = students.grades_and_classes(populated_vault)[0].classes[0]
    plan = plans.create_plan(
        populated_vault,
        name="秋季测评",
        scale_ids=["GAD-7"],
        class_ids=[cls.id],
        starts_on=dt.date.today(),
        ends_on=dt.date.today(),
    )
    pupil = students.search_students(
        populated_vault, students.StudentFilter(class_id=cls.id), limit=1
    )[0]
    double_entry.save_passes(populated_vault, "GAD-7", [(pupil.id, [1] * 7)], plan_id=plan.id)
    double_entry.save_passes(li, "GAD-7", [(pupil.id, [1] * 6 + [2])], plan_id=plan.id)
    page = AssessmentsPage(populated_vault)
    qtbot.addWidget(page)
    assert page.pending_box.isVisibleTo(page)
    dialog = page.show_plan(0)
    label = dialog.findChild(QLabel, "plan_agreement_label")
    # 6 of 7 items agreed
    assert label.text() == "双录入一致率：85.7 %（7 题中有 1 题两遍不一致；1 份答卷尚未入档）。"
