"""Dates as teachers type them: 2026-12-09, 2026/12/9, 12/9, 12-9, 12月9日, 2026年12月9日."""

from __future__ import annotations

import datetime as dt
import re

from app.errors import ValidationError
from app.i18n import _

_FULL = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_SHORT = re.compile(r"^\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """None for an empty field; a month and day without a year mean this year."""
    if not text.strip():
        return None
    today = today or dt.date.today()
    m = _FULL.match(text)
    if m:
        year, month, day = (int(g) for g in m.groups())
    else:
        m = _SHORT.match(text)
        if not m:
            raise ValidationError(
                "date",
                _("{text} is not a date (for example 2026-12-09 or 12月9日).").format(text=text),
            )
        year, (month, day) = today.year, (int(g) for g in m.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValidationError(
            "date", _("{text} is not a date (for example 2026-12-09 or 12月9日).").format(text=text)
        ) from exc
