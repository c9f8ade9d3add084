"""The week: bookings of every source by day, and two bookings closer than a session marked."""

import datetime as dt

from app.services import records, schedule, students

MONDAY = dt.date(2026, 12, 14)


def _appointment(vault, kid, at, purpose):
    records.create_record(
        vault, "appointment", student_id=kid.id, occurred_at=at, body={"purpose": purpose}
    )


def test_the_week_has_every_source_by_day_and_marks_a_clash(populated_vault):
    a, b, c = students.search_students(populated_vault, limit=3)
    tue = dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(10, 0))
    _appointment(populated_vault, a, tue, "复谈")
    _appointment(populated_vault, b, tue + dt.timedelta(minutes=20), "初次面谈")
    _appointment(populated_vault, c, tue + dt.timedelta(hours=2), "家长面谈")
    records.create_record(
        populated_vault,
        "return_to_school",
        student_id=c.id,
        occurred_at=dt.datetime(2026, 12, 10, 9),
        body={
            "meeting_participants": "王老师、家长",
            "first_follow_up": MONDAY + dt.timedelta(days=3),
            "follow_up_count": 2,
            "follow_up_every_days": 7,
        },
    )
    _appointment(populated_vault, a, tue + dt.timedelta(days=7), "下周的")

    week = schedule.week(populated_vault, MONDAY)

    assert list(week) == [MONDAY + dt.timedelta(days=i) for i in range(7)]
    tuesday = week[MONDAY + dt.timedelta(days=1)]
    assert [(b_.item.student_name, b_.clashes_with) for b_ in tuesday] == [
        (a.name, (b.name,)),
        (b.name, (a.name,)),
        (c.name, ()),
    ]
    thursday = week[MONDAY + dt.timedelta(days=3)]
    assert [x.item.what for x in thursday] == ["复学后跟进（第 1 次，共 2 次）"]
    assert sum(len(v) for v in week.values()) == 4  # next week's is not in this one
    assert schedule.week_start(dt.date(2026, 12, 20)) == MONDAY
