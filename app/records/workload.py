"""Workload as the district counts it: a pure tally of records, so the use case, the sync
session and a test all count the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from app.records.kinds import KINDS

# The district's columns; a record kind names the one it counts in (Kind.workload).
CATEGORIES = ("sessions", "group_sessions", "lessons", "contacts")
COUNTED = tuple(k.key for k in KINDS.values() if k.workload)


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
    counts: dict[str, dict[str, int]] = {}
    for author, kind, body in rows:
        k = KINDS.get(kind)
        if k is None or not k.workload:
            continue
        t = counts.setdefault(author, dict.fromkeys((*CATEGORIES, "minutes"), 0))
        t[k.workload] += 1
        if k.minutes:
            t["minutes"] += int((body or {}).get(k.minutes) or 0)
    return [
        Workload(
            uid,
            names.get(uid, ""),
            t["sessions"],
            round(t["minutes"] / 60, 1),
            t["group_sessions"],
            t["lessons"],
            t["contacts"],
        )
        for uid, t in sorted(counts.items(), key=lambda kv: names.get(kv[0], ""))
    ]
