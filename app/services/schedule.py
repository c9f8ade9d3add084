"""The counselor's week: appointments, next sessions, follow-ups, case-conference tasks and
return-to-school follow-ups by day, with clashes marked — two bookings closer than a session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.services import records
from app.services.vaults import OpenVault

SESSION = dt.timedelta(minutes=40)


@dataclass(frozen=True)
class Booking:
    item: records.Upcoming
    clashes_with: tuple[str, ...] = ()  # the other students booked within a session's time


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week(vault: OpenVault, monday: dt.date) -> dict[dt.date, list[Booking]]:
    """Monday to Sunday, each day's bookings in time order (days with none are present)."""
    start = dt.datetime.combine(monday, dt.time.min)
    end = dt.datetime.combine(monday + dt.timedelta(days=6), dt.time.max)
    items = [u for u in records.upcoming(vault, end, now=start) if u.when >= start]
    timed = [u for u in items if u.timed]
    out: dict[dt.date, list[Booking]] = {monday + dt.timedelta(days=i): [] for i in range(7)}
    for u in sorted(items, key=lambda u: u.when):
        others = tuple(
            o.student_name
            for o in timed
            if u.timed and o is not u and abs(o.when - u.when) < SESSION
        )
        out[u.when.date()].append(Booking(u, others))
    return out
