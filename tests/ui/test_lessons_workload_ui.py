"""The records page and the reports page as a counselor uses them for lessons, lectures and
the bureau's workload: one lesson ticked for three classes, a lecture for parents, the school
calendar typed and the classes falling short printed."""

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from app.services import lesson_compliance, records
from app.ui.print_preview import PrintPreview
from app.ui.record_form import RecordForm
from app.ui.records_page import RecordsPage
from app.ui.reports_page import ReportsPage
from tests.ui.modals import click, click_ok, type_text


def _page(qtbot, cls, vault):
    page = cls(vault)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    return page


def _type(widget, words):
    widget.setFocus()
    type_text(widget, words)


def _column(page, heading):
    headers = [
        page.workload.horizontalHeaderItem(c).text() for c in range(page.workload.columnCount())
    ]
    return headers.index(heading)


def test_one_lesson_ticked_for_three_classes_is_three_class_lessons(qtbot, populated_vault):
    page = _page(qtbot, RecordsPage, populated_vault)
    click(page.findChild(object, "new_lesson_button"))
    form = page.findChild(RecordForm)
    ticks = form.findChild(object, "field_more_classes")
    ticks.setFocus()
    QTest.keyClick(ticks, Qt.Key.Key_Down)  # the first row: the class chosen above
    for _row in range(2):  # ↓ then Space, twice: the second and third classes
        QTest.keyClick(ticks, Qt.Key.Key_Down)
        QTest.keyClick(ticks, Qt.Key.Key_Space)
    _type(form.findChild(QLineEdit, "field_topic"), "认识我的情绪")
    click_ok(form)
    listed = records.listing(populated_vault, "lesson")
    assert len(listed) == 3 and {r.label for r in listed} == {"认识我的情绪"}
    qtbot.waitUntil(lambda: page.lessons.count() == 3)
    assert page.workload.item(0, _column(page, "心理课")).text() == "3"


def test_a_lecture_for_parents_counts_in_its_own_column(qtbot, populated_vault):
    page = _page(qtbot, RecordsPage, populated_vault)
    click(page.findChild(object, "new_lecture_button"))
    form = page.findChild(RecordForm)
    assert form.editors["audience"].currentText() == "家长（家长学校、社区家长课堂）"
    _type(form.findChild(QLineEdit, "field_topic"), "青春期亲子沟通")
    click_ok(form)
    qtbot.waitUntil(lambda: page.talks.count() == 1)
    assert "青春期亲子沟通" in page.talks.item(0).text()
    assert page.workload.item(0, _column(page, "家长讲座")).text() == "1"
    page.semester.setFocus()
    QTest.keyClick(page.semester, Qt.Key.Key_Down)  # last semester: nothing yet
    qtbot.waitUntil(lambda: page.workload.rowCount() == 0)


def test_the_calendar_is_typed_and_the_list_of_classes_printed(qtbot, populated_vault):
    page = _page(qtbot, ReportsPage, populated_vault)
    box = page.compliance
    qtbot.waitUntil(lambda: box.table.rowCount() > 0)
    assert box.table.item(0, 3).text() in ("未达标", "达标")
    click(box.findChild(object, "calendar_button"))
    dialog = box.findChild(object, "calendar_dialog")
    holidays = dialog.findChild(object, "holidays_edit")
    today = dt.date.today()
    _type(holidays, f"{today.isoformat()} 运动会")
    click_ok(dialog)
    cal = lesson_compliance.calendar(populated_vault)
    assert [(h.start, h.name) for h in cal.holidays] == [(today, "运动会")]
    qtbot.waitUntil(lambda: "假期 1 段" in box.summary.text())
    click(box.findChild(object, "print_compliance_button"))
    preview = box.findChild(PrintPreview)
    assert preview is not None and preview.images
    preview.close()


def test_a_holiday_typed_wrong_is_said_in_the_dialog_and_nothing_is_kept(qtbot, populated_vault):
    page = _page(qtbot, ReportsPage, populated_vault)
    click(page.compliance.findChild(object, "calendar_button"))
    dialog = page.compliance.findChild(object, "calendar_dialog")
    _type(dialog.findChild(object, "holidays_edit"), "国庆节放假")
    click_ok(dialog)
    assert dialog.isVisible() and "假期第 1 行" in dialog.error.text()
    assert lesson_compliance.calendar(populated_vault).holidays == ()
    dialog.close()
