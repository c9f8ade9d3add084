"""心理课 every two teaching weeks and a 班会课 each semester, per class, against the school
calendar kept in the vault; a lesson taught in several classes is recorded once."""

import datetime as dt

import pytest

from app.errors import PermissionDenied, ValidationError
from app.records.school_calendar import SchoolCalendar, default_calendar, parse_holidays
from app.services import lesson_compliance, printing, records, students
from tests.reports.test_documents import text

AUTUMN = SchoolCalendar(
    "2026-autumn",
    dt.date(2026, 9, 1),
    dt.date(2027, 1, 22),
    parse_holidays("2026-10-01 ~ 2026-10-07 国庆节\n2027-01-01 元旦", dt.date(2026, 9, 1)),
)


def test_teaching_weeks_skip_a_holiday_week():
    # 9-1 (Tue) to 10-11: weeks of 9-1, 9-7, 9-14, 9-21, 9-28 (Mon-Wed teach), [10-1..10-7
    # holiday: the week of 10-5 teaches Thu 10-8 and Fri 10-9], so six weeks.
    assert AUTUMN.teaching_weeks(dt.date(2026, 10, 11)) == 6
    assert AUTUMN.lessons_due(dt.date(2026, 10, 11)) == 3
    whole = SchoolCalendar("x", dt.date(2026, 10, 1), dt.date(2026, 10, 7))
    holiday = SchoolCalendar("x", whole.start, whole.end, parse_holidays("10-1 ~ 10-7 国庆"))
    assert (whole.teaching_weeks(whole.end), holiday.teaching_weeks(holiday.end)) == (2, 0)


def test_a_holiday_line_that_does_not_read_is_named_by_its_number():
    with pytest.raises(ValidationError, match="假期第 2 行"):
        parse_holidays("2026-10-01 ~ 2026-10-07 国庆节\n十月一日 国庆")
    with pytest.raises(ValidationError, match="假期第 1 行：结束日期早于开始日期"):
        parse_holidays("2026-10-07 ~ 2026-10-01")


def _classes(vault, n):
    return [c for g in students.grades_and_classes(vault) for c in g.classes][:n]


def test_one_lesson_for_three_classes_counts_once_in_each(populated_vault):
    a, b, c = _classes(populated_vault, 3)
    day = dt.datetime(2026, 9, 10, 10)
    made = records.create_for_classes(
        populated_vault,
        "lesson",
        [a.id, b.id, c.id],
        occurred_at=day,
        body={"lesson_type": "lesson", "topic": "认识情绪"},
    )
    assert sorted(r.class_id for r in made) == sorted([a.id, b.id, c.id])
    records.create_record(
        populated_vault,
        "lesson",
        class_id=a.id,
        occurred_at=day + dt.timedelta(days=7),
        body={"lesson_type": "class_meeting", "topic": "我的情绪小怪兽"},
    )
    lesson_compliance.save_calendar(populated_vault, AUTUMN)
    rows = {
        r.class_id: r for r in lesson_compliance.compliance(populated_vault, dt.date(2026, 9, 30))
    }
    assert (rows[a.id].lessons, rows[a.id].meetings, rows[a.id].lessons_due) == (1, 1, 2)
    assert (rows[b.id].lessons, rows[b.id].meetings) == (1, 0)
    assert rows[a.id].lessons_short == 1 and rows[b.id].meetings_short == 1
    others = [r for cid, r in rows.items() if cid not in (a.id, b.id, c.id)]
    assert others and all(r.lessons == 0 and r.falls_short for r in others)


def test_the_calendar_is_the_leads_to_set(populated_vault, principal):
    assert lesson_compliance.calendar(populated_vault, dt.date(2026, 10, 9)) == default_calendar(
        dt.date(2026, 10, 9)
    )
    lesson_compliance.save_calendar(populated_vault, AUTUMN)
    assert lesson_compliance.calendar(populated_vault, dt.date(2026, 10, 9)) == AUTUMN
    with pytest.raises(PermissionDenied):
        lesson_compliance.save_calendar(principal, AUTUMN)
    backwards = SchoolCalendar(AUTUMN.semester, AUTUMN.end, AUTUMN.start)
    with pytest.raises(ValidationError, match="学期结束日期必须晚于开始日期"):
        lesson_compliance.save_calendar(populated_vault, backwards)


def test_the_printed_list_puts_the_classes_falling_short_first(populated_vault):
    a, b = _classes(populated_vault, 2)
    lesson_compliance.save_calendar(populated_vault, AUTUMN)
    for week in range(2):
        records.create_record(
            populated_vault,
            "lesson",
            class_id=a.id,
            occurred_at=dt.datetime(2026, 9, 8 + 7 * week, 10),
            body={"lesson_type": "lesson" if week == 0 else "class_meeting", "topic": "主题"},
        )
    pdf, serial = printing.compliance_report(populated_vault, dt.date(2026, 9, 20))
    body = text(pdf)
    assert "心理课与班会课落实情况" in body and serial in body and "国庆" not in body
    rows = lesson_compliance.compliance(populated_vault, dt.date(2026, 9, 20))
    [kept] = [r for r in rows if not r.falls_short]
    assert kept.class_id == a.id and len(rows) > 1
    assert body.rindex("未达标") < body.index(f"{kept.label}111达标")
