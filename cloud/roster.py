"""A roster row as a district exports it, checked and put in the protocol's form at publish time.

The client refuses what its schema does not allow; publishing such a row would block the school's
roster page for good. So every row is normalised here (七年级 → 7, 在读 → enrolled, 2013/1/8 →
2013-01-08) and checked with the same rules the client applies (docs/sync-protocol.md §4);
what cannot be made valid is refused with its row, column and reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

FIELDS = ("student_no", "name", "gender", "birth_date", "grade_level", "class_number", "status")
GRADES = {
    "一年级": 1,
    "二年级": 2,
    "三年级": 3,
    "四年级": 4,
    "五年级": 5,
    "六年级": 6,
    "七年级": 7,
    "八年级": 8,
    "九年级": 9,
    "初一": 7,
    "初二": 8,
    "初三": 9,
    "十年级": 10,
    "高一": 10,
    "十一年级": 11,
    "高二": 11,
    "十二年级": 12,
    "高三": 12,
}
STATUSES = {
    "enrolled": "enrolled",
    "在读": "enrolled",
    "在校": "enrolled",
    "在籍": "enrolled",
    "transferred": "transferred",
    "转出": "transferred",
    "转学": "transferred",
    "graduated": "graduated",
    "毕业": "graduated",
    "suspended": "suspended",
    "休学": "suspended",
}
GENDERS = {"男": "M", "女": "F", "M": "M", "F": "F", "m": "M", "f": "F"}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class RowProblem:
    row: int  # the file's line (header = 1) or the list's position + 1
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.reason}"


class RosterInvalid(Exception):
    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} roster problem(s): {shown}{more}")


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _grade(value) -> int | None:
    text = _text(value)
    if not text:
        return None
    if text in GRADES:
        return GRADES[text]
    digits = text.removesuffix("年级")
    if digits.isdigit() and 1 <= int(digits) <= 12:
        return int(digits)
    raise ValueError(f"unknown grade {text!r} (1–12 or 七年级, 高一 …)")


def _class(value) -> int | None:
    text = _text(value)
    if not text:
        return None
    digits = text.strip("()（）").removesuffix("班").strip("()（）")
    if not digits.isdigit() or not 1 <= int(digits) <= 99:
        raise ValueError(f"class {text!r} is not a number from 1 to 99")
    return int(digits)


def _date(value) -> str | None:
    text = _text(value)
    if not text:
        return None
    if text.isdigit() and len(text) == 8:
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    found = _DATE.match(text)
    try:
        if not found:
            raise ValueError
        day = dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        raise ValueError(f"date {text!r} is not a valid date (2013-01-08)") from None
    if not dt.date(1950, 1, 1) <= day <= dt.date.today():
        raise ValueError(f"date {text!r} is out of range")
    return day.isoformat()


def normalize(row: dict, line: int) -> tuple[dict | None, list[RowProblem]]:
    """(protocol payload, []) or (None, problems) for one row."""
    problems: list[RowProblem] = []
    out: dict = {}
    no = _text(row.get("student_no"))
    if not 1 <= len(no) <= 32:
        problems.append(RowProblem(line, "学籍号", "missing or longer than 32 characters"))
    out["student_no"] = no
    name = _text(row.get("name"))
    if not 1 <= len(name) <= 60:
        problems.append(RowProblem(line, "姓名", "missing or longer than 60 characters"))
    out["name"] = name
    gender = _text(row.get("gender"))
    if gender and gender not in GENDERS:
        problems.append(RowProblem(line, "性别", f"unknown value {gender!r} (男/女)"))
    out["gender"] = GENDERS.get(gender)
    for key, column, parse in (
        ("birth_date", "出生日期", _date),
        ("grade_level", "年级", _grade),
        ("class_number", "班级", _class),
    ):
        try:
            out[key] = parse(row.get(key))
        except ValueError as exc:
            problems.append(RowProblem(line, column, str(exc)))
    status = _text(row.get("status")) or "enrolled"
    if status not in STATUSES:
        problems.append(
            RowProblem(line, "状态", f"unknown status {status!r} (在读/转出/毕业/休学)")
        )
    out["status"] = STATUSES.get(status)
    return (None, problems) if problems else (out, [])
