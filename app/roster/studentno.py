"""学籍号 (national student number) validation.

The national student-status system issues "G" + the 18-character resident ID for students who
have one; students without an ID get a temporary number, "L" (or "J") followed by 18 characters
of digits (the last may be X). Only the G form carries a check digit (GB 11643, ISO 7064 MOD 11-2).
"""

from __future__ import annotations

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_G_FORM = re.compile(r"^G\d{17}[\dX]$")
_TEMP_FORM = re.compile(r"^[LJ]\d{17}[\dX]$")


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalize(text: str) -> str:
    return "".join(str(text).split()).upper()


def problem(student_no: str) -> str | None:
    """None if valid, else a short English key naming what is wrong (translated by the caller)."""
    s = normalize(student_no)
    if _G_FORM.match(s):
        body = s[1:]
        if id_check_digit(body[:17]) != body[17]:
            return "check_digit"
        if birth_date_of(s) is None:
            return "birth_date"
        return None
    if _TEMP_FORM.match(s):
        return None
    return "format"


def birth_date_of(student_no: str) -> dt.date | None:
    s = normalize(student_no)
    if not _G_FORM.match(s):
        return None
    try:
        return dt.date(int(s[7:11]), int(s[11:13]), int(s[13:15]))
    except ValueError:
        return None
