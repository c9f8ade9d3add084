"""日程 in the window: the week's bookings by day, a clash in red, PgDn to the next week, Enter
opens the student."""

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.services import records, schedule, students
from app.ui.application import Shell
from app.ui.ops import Ops
from tests.ui.modals import click


def test_the_week_turns_by_key_shows_a_clash_and_opens_the_student(qtbot, populated_vault):
    a, b = students.search_students(populated_vault, limit=2)
    monday = schedule.week_start(dt.date.today())
    wednesday = dt.datetime.combine(monday + dt.timedelta(days=9), dt.time(14, 0))
    for kid, at in ((a, wednesday), (b, wednesday + dt.timedelta(minutes=30))):
        records.create_record(
            populated_vault, "appointment", student_id=kid.id, occurred_at=at, body={}
        )
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.show()
    shell.enter(populated_vault)
    ws = shell.workspace
    ws.show_section("calendar")
    page = ws.calendar
    assert page.days[2].count() == 0
    page.days[0].setFocus()
    QTest.keyClick(page.days[0], Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: page.days[2].count() == 2)
    assert page.clashes.text() == "2 个预约时间冲突"
    day = page.days[2]
    assert day.item(0).text().startswith(f"14:00 {a.name}")
    assert day.item(0).background().color().name() == "#ffcdd2"
    click(page.findChild(object, "this_week_button"))
    qtbot.waitUntil(lambda: page.days[2].count() == 0)
    QTest.keyClick(page.days[0], Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: page.days[2].count() == 2)
    day.setFocus()
    day.setCurrentRow(1)
    QTest.keyClick(day, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ws.archive is not None and ws.archive.student_id == b.id)
    shell.lock()
