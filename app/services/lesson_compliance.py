"""心理课 and 班会课 against what the notice asks, per class and semester: at least one psychology
lesson every two teaching weeks, at least one mental-health class meeting per semester, counted
against the school calendar kept in the vault (semester dates and holidays)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.models import Grade, Record, SchoolClass, Student
from app.records.kinds import current_body
from app.records.school_calendar import MEETINGS_PER_SEMESTER, SchoolCalendar, default_calendar
from app.records.semesters import semester_key
from app.services.permissions import require
from app.services.vaults import OpenVault, get_setting, set_setting

SETTING = "school_calendar"  # {semester key: SchoolCalendar.to_json()}


def calendar(vault: OpenVault, day: dt.date | None = None) -> SchoolCalendar:
    """The semester of `day` as the school set it, or its default dates without holidays."""
    day = day or dt.date.today()
    key = semester_key(day)
    stored = (get_setting(vault, SETTING, {}) or {}).get(key)
    return SchoolCalendar.from_json(key, stored) if stored else default_calendar(day)


def save_calendar(vault: OpenVault, cal: SchoolCalendar) -> None:
    """The counseling lead sets the semester's dates and holidays (kept per semester)."""
    from app.errors import ValidationError
    from app.i18n import _

    require(vault.user.role, "change_settings")
    if cal.end <= cal.start:
        raise ValidationError("end", _("The semester must end after it starts."))
    stored = dict(get_setting(vault, SETTING, {}) or {})
    stored[cal.semester] = cal.to_json()
    set_setting(vault, SETTING, stored)


@dataclass(frozen=True)
class ClassCompliance:
    class_id: str
    label: str
    lessons: int
    lessons_due: int
    meetings: int

    @property
    def lessons_short(self) -> int:
        return max(0, self.lessons_due - self.lessons)

    @property
    def meetings_short(self) -> int:
        return max(0, MEETINGS_PER_SEMESTER - self.meetings)

    @property
    def falls_short(self) -> bool:
        return bool(self.lessons_short or self.meetings_short)


def compliance(vault: OpenVault, day: dt.date | None = None) -> list[ClassCompliance]:
    """Every class with enrolled students, in school order, up to `day` in its semester."""
    require(vault.user.role, "view_diagnosis")
    day = day or dt.date.today()
    cal = calendar(vault, day)
    due = cal.lessons_due(day)
    lo, hi = dt.datetime.combine(cal.start, dt.time.min), dt.datetime.combine(cal.end, dt.time.max)
    with vault.reading() as s:
        classes = s.execute(
            select(SchoolClass.id, Grade.name, SchoolClass.name)
            .join(Grade, SchoolClass.grade_id == Grade.id)
            .where(
                SchoolClass.id.in_(
                    select(Student.class_id).where(Student.status == "enrolled").distinct()
                )
            )
            .order_by(Grade.level, SchoolClass.number)
        ).all()
        counts: dict[str, dict[str, int]] = {}
        q = select(Record.class_id, Record.body, Record.body_schema).where(
            Record.kind == "lesson",
            Record.voided_at.is_(None),
            Record.occurred_at >= lo,
            Record.occurred_at <= hi,
        )
        for class_id, body, schema in s.execute(q):
            kind = (current_body("lesson", schema, body) or {}).get("lesson_type", "lesson")
            c = counts.setdefault(class_id, {"lesson": 0, "class_meeting": 0})
            c[kind] = c.get(kind, 0) + 1
    return [
        ClassCompliance(
            cid,
            f"{g}{c}",
            counts.get(cid, {}).get("lesson", 0),
            due,
            counts.get(cid, {}).get("class_meeting", 0),
        )
        for cid, g, c in classes
    ]
