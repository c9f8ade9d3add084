"""筛查后续跟进 through the real window: opened from the plan, a student marked absent by
buttons and keys, and a positive opened with Enter."""

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.services import assessments, plans, screening_follow_up, students
from app.ui.application import Shell
from app.ui.ops import Ops
from tests.ui.modals import answer_modals, click, type_and_ok


def test_a_plan_is_followed_up_from_the_assessments_page(qtbot, populated_vault):
    kid = students.search_students(populated_vault, limit=1)[0]
    class_id = next(
        c.id
        for g in students.grades_and_classes(populated_vault)
        for c in g.classes
        if f"{g.name}{c.name}" == f"{kid.grade}{kid.class_name}"
    )
    plan = plans.create_plan(
        populated_vault,
        name="秋季普查",
        scale_ids=["PHQ-9"],
        class_ids=[class_id],
        starts_on=dt.date.today() - dt.timedelta(days=20),
        ends_on=dt.date.today() - dt.timedelta(days=6),
    )
    assessments.record_result(
        populated_vault, kid.id, "PHQ-9", [0] * 8 + [1], mode="paper", plan_id=plan.id
    )
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.show()
    shell.enter(populated_vault)
    ws = shell.workspace
    ws.show_section("assessments")
    click(ws.assessments.findChild(object, "follow_up_button"))
    dialog = ws.assessments.findChild(object, "follow_up_dialog")
    assert "已结束" in dialog.head.text()
    tabs = dialog.tabs
    assert tabs.tabText(0) == "阳性未面谈（1）" and tabs.tabText(2) == "需重测（0）"
    tabs.setCurrentIndex(1)
    table = dialog.unscreened
    before = table.rowCount()
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_Down)
    chosen = table.item(table.currentRow(), 0).data(Qt.ItemDataRole.UserRole)
    answer_modals(type_and_ok("病假"))
    click(dialog.findChild(object, "mark_absent_button"))
    out = screening_follow_up.follow_up(populated_vault, plan.id)
    assert [r.student_id for r in out.absent] == [chosen]
    assert dialog.unscreened.rowCount() == before
    assert "缺考" in [
        dialog.unscreened.item(r, 3).text() for r in range(dialog.unscreened.rowCount())
    ]
    tabs.setCurrentIndex(0)
    positives = tabs.widget(0)
    positives.setFocus()
    positives.setCurrentCell(0, 0)
    QTest.keyClick(positives, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ws.archive is not None and ws.archive.student_id == kid.id)
    shell.lock()
