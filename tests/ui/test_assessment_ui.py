"""Kiosk, paper entry and history, driven through the real widgets."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QTableWidget

from app.services import assessments, students
from app.ui.application import Shell
from app.ui.ops import Ops
from app.ui.paper_entry_dialog import PaperEntryDialog
from tests.ui.modals import double_click


@pytest.fixture
def student(populated_vault):
    return students.search_students(populated_vault, limit=1)[0]


def test_paper_grid_advances_on_digits_and_refuses_invalid_ones(qtbot, populated_vault):
    dialog = PaperEntryDialog(populated_vault, scale_id="GAD-7")
    qtbot.addWidget(dialog)
    grid = dialog.grid
    qtbot.keyClick(grid, Qt.Key.Key_2)
    assert (grid.item(0, 0).text(), grid.currentColumn()) == ("2", 1)
    qtbot.keyClick(grid, Qt.Key.Key_7)  # not an option on GAD-7
    assert (grid.item(0, 1).text(), grid.currentColumn()) == ("", 1)
    for _ in range(6):
        qtbot.keyClick(grid, Qt.Key.Key_1)
    assert grid.item(0, 7).text() == "8" and (grid.currentRow(), grid.currentColumn()) == (1, 0)


def test_the_archive_shows_the_assessment_history(qtbot, populated_vault, student):
    assessments.record_result(populated_vault, student.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.enter(populated_vault)
    shell.workspace.open_student(student.id)
    shell.workspace.archive.tabs.setCurrentIndex(1)  # built when first shown
    table = shell.workspace.archive.findChild(object, "assessment_history")
    assert [table.item(0, c).text() for c in (1, 2, 4, 6)] == ["PHQ-9", "1", "无或极轻", "9"]
    QApplication.processEvents()


def test_a_plan_shows_who_has_not_taken_it(qtbot, populated_vault):
    import datetime as dt

    from app.services import plans
    from app.ui.assessments_page import AssessmentsPage

    cls = students.grades_and_classes(populated_vault)[0].classes[0]
    plan = plans.create_plan(
        populated_vault,
        name="秋季测评",
        scale_ids=["PHQ-9"],
        class_ids=[cls.id],
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 11, 30),
    )
    members = students.search_students(populated_vault, students.StudentFilter(class_id=cls.id))
    assessments.record_result(
        populated_vault, members[0].id, "PHQ-9", [0] * 9, mode="paper", plan_id=plan.id
    )
    page = AssessmentsPage(populated_vault)
    qtbot.addWidget(page)
    assert page.plans.item(0, 3).text() == f"1 / {len(members)}"
    page.show()
    qtbot.waitExposed(page)
    rect = page.plans.visualItemRect(page.plans.item(0, 0))
    double_click(page.plans.viewport(), rect.center())
    dialog = page.findChild(QDialog, "plan_completion_dialog")
    assert dialog.windowTitle() == "秋季测评"
    assert dialog.findChild(QLabel, "plan_completion_label").text() == f"已完成：1 / {len(members)}"
    table = dialog.findChild(QTableWidget, "plan_completion_table")
    assert table.rowCount() == len(members) - 1
    shown = [
        (table.item(r, 1).text(), table.item(r, 2).text(), table.item(r, 3).text())
        for r in range(table.rowCount())
    ]
    rest = sorted(members[1:], key=lambda m: m.student_no)
    assert shown == [(m.student_no, m.name, "尚未完成") for m in rest]
    dialog.close()


def test_a_severe_paper_sheet_shows_red_in_the_alert_bar_without_any_button(qtbot, populated_vault):
    """Observation 1 of issue 13: no 立即按规则评估 is needed for a band-based warning."""

    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.resize(1366, 768)
    shell.show()
    shell.enter(populated_vault)
    ws = shell.workspace
    ws.show_section("assessments")
    QTest.mouseClick(ws.assessments.findChild(object, "paper_button"), Qt.MouseButton.LeftButton)
    dialog = ws.assessments.findChild(PaperEntryDialog)
    dialog.scale.setCurrentIndex(dialog.scale.findData("PHQ-9"))
    grid = dialog.grid
    grid.setCurrentCell(0, 0)
    for key in "333332220":  # total 21, item 9 = 0
        QTest.keyClick(grid, key)
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    bar = ws.alert_bar
    assert bar.isVisible() and bar.list.count() == 1
    assert "一级" in bar.list.item(0).text() and "PHQ-9 总分 21（重度）" in bar.list.item(0).text()
    assert ws.nav.item(3).text() == "预警（1）"
    dialog.close()
    shell.lock()


def test_a_blank_item_9_is_never_shown_as_valid_in_the_history(qtbot, populated_vault, student):
    from app.ui.archive_page import ArchivePage

    assessments.record_result(
        populated_vault, student.id, "PHQ-9", [1, 1, 1, 1, 0, 0, 0, 0, None], mode="paper"
    )
    page = ArchivePage(populated_vault, student.id)
    qtbot.addWidget(page)
    page.tabs.setCurrentIndex(1)
    table = page.findChild(object, "assessment_history")
    assert table.item(0, 2).text() == ""  # no total for an incomplete sheet
    assert table.item(0, 5).text() == "需核查：有漏答题、危机条目未作答（未作答：第 9 题）"
