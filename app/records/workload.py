"""Workload as the bureau counts it: a pure tally of records, so the use case, the sync session
and a test all count the same way.

Each record kind names the column it counts in (`Kind.workload`), or a body field whose value
chooses it (`Kind.workload_by`: a lesson is a 心理课 or a 班会课, a contact a home visit or not)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.i18n import N_
from app.records.kinds import KINDS, Kind

# The bureau's columns, in its order; each counts records (times or lessons).
CATEGORIES = (
    "sessions",
    "group_sessions",
    "crisis",
    "lessons",
    "class_meetings",
    "parent_lectures",
    "teacher_lectures",
    "training",
    "home_visits",
    "contacts",
)
LABELS = {
    "sessions": N_("Individual sessions"),
    "group_sessions": N_("Group sessions"),
    "crisis": N_("Crisis interventions"),
    "lessons": N_("Psychology lessons"),
    "class_meetings": N_("Class meetings (班会课)"),
    "parent_lectures": N_("Lectures for parents"),
    "teacher_lectures": N_("Lectures for teachers"),
    "training": N_("Training received"),
    "home_visits": N_("Home visits"),
    "contacts": N_("Other home–school contacts"),
}
# Hours are added up where the bureau asks for them: counseling time and training time.
HOURS = {"sessions": "session_hours", "training": "training_hours"}
COUNTED = tuple(k.key for k in KINDS.values() if k.workload)


@dataclass(frozen=True)
class Workload:
    user_id: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)
    hours: dict[str, float] = field(default_factory=dict)

    def __getattr__(self, name: str):
        """w.sessions, w.session_hours …: one category's figure by its name."""
        if name in CATEGORIES:
            return self.counts.get(name, 0)
        for category, hours in HOURS.items():
            if name == hours:
                return self.hours.get(category, 0.0)
        raise AttributeError(name)


def category(kind: Kind, body: dict | None) -> str:
    """The column a record counts in ("" not counted)."""
    if kind.workload_by:
        key, choices = kind.workload_by
        chosen = choices.get((body or {}).get(key))
        if chosen:
            return chosen
    return kind.workload


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime.combine(start, dt.time.min), dt.datetime.combine(end, dt.time.max)


def tally(rows: Iterable[tuple[str, str, dict]], names: dict[str, str]) -> list[Workload]:
    """Per author, from (author id, kind, body) of the records in the period, not voided."""
    counts: dict[str, dict[str, int]] = {}
    minutes: dict[str, dict[str, int]] = {}
    for author, kind, body in rows:
        k = KINDS.get(kind)
        if k is None or not k.workload:
            continue
        column = category(k, body)
        t = counts.setdefault(author, dict.fromkeys(CATEGORIES, 0))
        t[column] += 1
        if k.minutes and column in HOURS:
            m = minutes.setdefault(author, {})
            m[column] = m.get(column, 0) + int((body or {}).get(k.minutes) or 0)
    return [
        Workload(
            uid,
            names.get(uid, ""),
            t,
            {c: round(minutes.get(uid, {}).get(c, 0) / 60, 1) for c in HOURS},
        )
        for uid, t in sorted(counts.items(), key=lambda kv: names.get(kv[0], ""))
    ]
