"""The school calendar as data: a semester's first and last day and its holidays, so "a
psychology lesson at least every two weeks" is counted in teaching weeks, not calendar weeks
(a National Day week owes no lesson)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from app.errors import ValidationError
from app.i18n import _
from app.records.dates import parse_date
from app.records.semesters import semester_bounds, semester_key

WEEKS_PER_LESSON = 2  # 江门: 心理健康教育课每两周不少于 1 课时
MEETINGS_PER_SEMESTER = 1  # 每班每学期至少 1 节心理主题班会课
_RANGE = re.compile(r"^\s*(\S+?)(?:\s*[~～至到]\s*|\s+--?\s+)(\S+)\s*(.*)$")


@dataclass(frozen=True)
class Holiday:
    start: dt.date
    end: dt.date
    name: str = ""

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class SchoolCalendar:
    semester: str  # semester_key: 2026-autumn
    start: dt.date
    end: dt.date
    holidays: tuple[Holiday, ...] = ()

    def to_json(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "holidays": [[h.start.isoformat(), h.end.isoformat(), h.name] for h in self.holidays],
        }

    @classmethod
    def from_json(cls, semester: str, doc: dict) -> SchoolCalendar:
        return cls(
            semester,
            dt.date.fromisoformat(doc["start"]),
            dt.date.fromisoformat(doc["end"]),
            tuple(
                Holiday(dt.date.fromisoformat(a), dt.date.fromisoformat(b), name)
                for a, b, name in doc.get("holidays", ())
            ),
        )

    def is_teaching_day(self, day: dt.date) -> bool:
        return (
            self.start <= day <= self.end
            and day.weekday() < 5
            and not any(h.covers(day) for h in self.holidays)
        )

    def teaching_weeks(self, until: dt.date) -> int:
        """Weeks (Monday to Sunday) with at least one teaching day, from the start to `until`."""
        last = min(until, self.end)
        weeks: set[tuple[int, int]] = set()
        day = self.start
        while day <= last:
            if self.is_teaching_day(day):
                weeks.add(day.isocalendar()[:2])
            day += dt.timedelta(days=1)
        return len(weeks)

    def lessons_due(self, until: dt.date) -> int:
        """Psychology lessons a class should have had by `until`: one per two teaching weeks."""
        return self.teaching_weeks(until) // WEEKS_PER_LESSON


def default_calendar(day: dt.date) -> SchoolCalendar:
    start, end = semester_bounds(day)
    return SchoolCalendar(semester_key(day), start, end)


def parse_holidays(text: str, today: dt.date | None = None) -> tuple[Holiday, ...]:
    """One holiday per line: '2026-10-01 ~ 2026-10-07 国庆节' (a single day: '2027-01-01 元旦')."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = _RANGE.match(line)
        try:
            if m and _is_date(m.group(2), today):
                start, end = parse_date(m.group(1), today), parse_date(m.group(2), today)
                name = m.group(3).strip()
            else:
                first, _sep, rest = line.strip().partition(" ")
                start = end = parse_date(first, today)
                name = rest.strip()
        except ValidationError as exc:
            raise ValidationError(
                "holidays", _("Holiday line {n}: {problem}").format(n=number, problem=exc)
            ) from exc
        if end < start:
            raise ValidationError(
                "holidays", _("Holiday line {n}: it ends before it starts.").format(n=number)
            )
        out.append(Holiday(start, end, name))
    return tuple(sorted(out, key=lambda h: h.start))


def _is_date(text: str, today: dt.date | None) -> bool:
    try:
        return parse_date(text, today) is not None
    except ValidationError:
        return False


def holidays_text(holidays: tuple[Holiday, ...]) -> str:
    return "\n".join(
        (f"{h.start} ~ {h.end}" if h.end != h.start else f"{h.start}")
        + (f" {h.name}" if h.name else "")
        for h in holidays
    )
