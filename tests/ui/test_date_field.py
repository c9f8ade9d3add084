"""Dates typed as teachers type them, and a calendar that opens at today."""

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest

from app.errors import ValidationError
from app.records.dates import parse_date
from app.ui.date_field import DateField
from tests.ui.modals import type_text

TODAY = dt.date(2026, 12, 2)


@pytest.mark.parametrize(
    "typed",
    [
        "2026-12-09",
        "2026/12/9",
        "2026.12.09",
        "12/9",
        "12-9",
        "12月9日",
        "2026年12月9日",
        " 12 月 9 ",
    ],
)
def test_each_way_of_typing_the_date_gives_the_same_day(typed):
    assert parse_date(typed, TODAY) == dt.date(2026, 12, 9)


def test_an_empty_field_is_no_date():
    assert parse_date("  ", TODAY) is None


@pytest.mark.parametrize("typed", ["2月30日", "下周", "2026-13-01"])
def test_what_is_not_a_date_is_refused_in_chinese(typed):
    with pytest.raises(ValidationError) as caught:
        parse_date(typed, TODAY)
    assert "不是有效日期" in caught.value.user_message()


def test_typing_12_9_and_leaving_the_field_shows_the_full_date(qtbot):
    field = DateField()
    qtbot.addWidget(field)
    field.show()
    field.activateWindow()
    assert QTest.qWaitForWindowActive(field)
    field.edit.setFocus()
    type_text(field.edit, "12月9日")  # as an IME commits it
    QTest.keyClick(field.edit, Qt.Key.Key_Return)
    assert field.edit.text() == f"{dt.date.today().year}-12-09"
    assert field.date_or_none() == dt.date(dt.date.today().year, 12, 9)


def test_the_calendar_of_an_empty_field_opens_at_today(qtbot):
    field = DateField()
    qtbot.addWidget(field)
    field.show()
    field.menu.aboutToShow.emit()
    assert field.calendar.selectedDate() == QDate.currentDate()
    assert field.calendar.locale().name() == "zh_CN"
