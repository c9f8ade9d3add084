"""Plans through the widgets: a scale outside its range asks for a reason; each student's state
is marked by buttons and the list of those not done prints."""

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QPushButton

from app.services import plans, students
from app.ui.assessments_page import AssessmentsPage, PlanDialog
from app.ui.print_preview import PrintPreview
from tests.ui.modals import answer_modals, cancel, click, click_ok, type_and_ok, type_text


def tick(widget: QListWidget, text: str) -> None:
    for i in range(widget.count()):
        item = widget.item(i)
        if item.text() == text or item.data(Qt.ItemDataRole.UserRole) == text:
            item.setCheckState(Qt.CheckState.Checked)
            return
    raise AssertionError(text)


@pytest.fixture
def form(qtbot, populated_vault):
    dialog = PlanDialog(populated_vault)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.name, "秋季测评")
    tick(dialog.scales, "SCL-90")
    tick(dialog.classes, "七年级1班")
    return dialog


def test_a_scale_outside_its_range_is_planned_only_with_a_reason(qtbot, populated_vault, form):
    seen = answer_modals(type_and_ok("区教研室统一要求"))
    click_ok(form)
    assert seen == ["量表超出适用范围"]
    [plan] = plans.list_plans(populated_vault)
    assert plan.scale_ids == ("SCL-90",)


def test_cancelling_the_reason_plans_nothing_and_says_why(qtbot, populated_vault, form):
    answer_modals(cancel)
    click_ok(form)
    assert plans.list_plans(populated_vault) == []
    assert "量表适用于 16 岁及以上" in form.error.text()


def test_a_student_is_marked_absent_and_the_list_prints(qtbot, populated_vault):
    cls = students.grades_and_classes(populated_vault)[0].classes[0]
    plan = plans.create_plan(
        populated_vault,
        name="秋季测评",
        scale_ids=["PHQ-9"],
        class_ids=[cls.id],
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 11, 30),
    )
    page = AssessmentsPage(populated_vault)
    qtbot.addWidget(page)
    page.show()
    dialog = page.show_plan(0)
    table = dialog.table
    table.setCurrentCell(0, 0)
    answer_modals(type_and_ok("病假"))
    click(dialog.findChild(QPushButton, "plan_absent_button"))
    [row] = [r for r in plans.participation(populated_vault, plan.id) if r.state == "absent"]
    assert (row.recorded_by, row.note) == ("王老师", "病假")
    assert table.item(0, 3).text() == "缺考（病假）" and table.item(0, 5).text() == "王老师"
    click(dialog.findChild(QPushButton, "print_missing_button"))
    preview = dialog.findChild(PrintPreview)
    assert preview is not None and preview.images
    preview.close()
