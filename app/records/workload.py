"""Workload as the district counts it: a pure tally of records, so the use case, the sync
session and a test all count the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

COUNTED = ("session", "group_session", "lesson", "contact")


@dataclass(frozen=True)
class Workload:
    user_id: str
    name: str
    sessions: int
    session_hours: float
    group_sessions: int
    lessons: int
    contacts: int


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime.combine(start, dt.time.min), dt.datetime.combine(end, dt.time.max)


def tally(rows: Iterable[tuple[str, str, dict]], names: dict[str, str]) -> list[Workload]:
    """Per author, from (author id, kind, body) of the records in the period, not voided."""
    counts: dict[str, dict] = {}
    for author, kind, body in rows:
        if kind not in COUNTED:
            continue
        t = counts.setdefault(
            author, {"session": 0, "minutes": 0, "group_session": 0, "lesson": 0, "contact": 0}
        )
        t[kind] += 1
        if kind == "session":
            t["minutes"] += int((body or {}).get("duration_min") or 0)
    return [
        Workload(
            uid,
            names.get(uid, ""),
            t["session"],
            round(t["minutes"] / 60, 1),
            t["group_session"],
            t["lesson"],
            t["contact"],
        )
        for uid, t in sorted(counts.items(), key=lambda kv: names.get(kv[0], ""))
    ]
