"""Chinese school semesters: autumn runs September to January, spring February to August."""

from __future__ import annotations

import datetime as dt


def semester_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    if day.month >= 9:
        return dt.date(day.year, 9, 1), dt.date(day.year + 1, 1, 31)
    if day.month == 1:
        return dt.date(day.year - 1, 9, 1), dt.date(day.year, 1, 31)
    return dt.date(day.year, 2, 1), dt.date(day.year, 8, 31)


def semester_label(day: dt.date) -> str:
    """'2026秋' for Sep 2026–Jan 2027, '2027春' for Feb–Aug 2027."""
    start, _end = semester_bounds(day)
    return f"{start.year}{'秋' if start.month == 9 else '春'}"


def semester_key(day: dt.date) -> str:
    """The same semester in ASCII for identifiers: '2026-autumn', '2027-spring'."""
    start, _end = semester_bounds(day)
    return f"{start.year}-{'autumn' if start.month == 9 else 'spring'}"
