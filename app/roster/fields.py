"""Parse one roster cell into a typed value, or say (as an English msgid) why it cannot be."""

from __future__ import annotations

import datetime as dt
import re

from app.i18n import N_


class FieldProblem(ValueError):
    """The msgid of the reason; the caller translates it."""


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
EXCEL_EPOCH = dt.date(1899, 12, 30)


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 < value < 60000:  # an Excel serial date that lost its format
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        value = text(value)
    s = text(value).split(" ")[0]
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            try:
                d = dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError as exc:
                raise FieldProblem(N_("not a real calendar date")) from exc
            if not (1990 <= d.year <= dt.date.today().year):
                raise FieldProblem(N_("the year is not plausible for a student"))
            return d
    raise FieldProblem(N_("not a date (use e.g. 2012-03-05)"))


GENDERS = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F", "1": "M", "2": "F"}


def parse_gender(value) -> str | None:
    s = text(value).lower()
    if not s:
        return None
    if s in GENDERS:
        return GENDERS[s]
    raise FieldProblem(N_("gender must be 男 or 女"))


_GRADE_WORDS = {
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
    "高一": 10,
    "高二": 11,
    "高三": 12,
    "十年级": 10,
    "十一年级": 11,
    "十二年级": 12,
}
GRADE_NAMES = {
    1: "一年级",
    2: "二年级",
    3: "三年级",
    4: "四年级",
    5: "五年级",
    6: "六年级",
    7: "七年级",
    8: "八年级",
    9: "九年级",
    10: "高一",
    11: "高二",
    12: "高三",
}


def parse_grade(value) -> int:
    s = re.sub(r"\s", "", text(value))
    if not s:
        raise FieldProblem(N_("grade is missing"))
    s = re.sub(r"^\d{4}[级届]", "", s)
    if s in _GRADE_WORDS:
        return _GRADE_WORDS[s]
    m = re.fullmatch(r"(\d{1,2})(年级)?", s)
    if m and 1 <= int(m[1]) <= 12:
        return int(m[1])
    raise FieldProblem(N_("unknown grade (use e.g. 七年级 or 高一)"))


_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}


MAX_CLASS = 99  # the city protocol's bound too (class_number 1–99)


def parse_class(value) -> int:
    """'3', '3班', '(3)班', '七年级3班', '高一（12）班', '三班' → the class number."""
    s = re.sub(r"\s", "", text(value))
    if not s:
        raise FieldProblem(N_("class is missing"))
    m = re.search(r"[(（]?(\d{1,2})[)）]?班?$", s)
    if m and 1 <= int(m[1]) <= MAX_CLASS:
        return int(m[1])
    m = re.search(r"([一二三四五六七八九十]{1,3})班$", s)
    if m:
        digits = m[1]
        if digits == "十":
            return 10
        if digits.startswith("十"):
            return 10 + _CN_DIGITS[digits[1]]
        if digits.endswith("十"):
            return _CN_DIGITS[digits[0]] * 10
        if len(digits) == 3:
            return _CN_DIGITS[digits[0]] * 10 + _CN_DIGITS[digits[2]]
        return _CN_DIGITS[digits[0]]
    raise FieldProblem(N_("unknown class (use e.g. 3班)"))


_YES = {"是", "y", "yes", "1", "√", "true", "住校", "寄宿"}
_NO = {"否", "n", "no", "0", "", "false", "走读", "×"}


def parse_flag(value) -> bool:
    s = text(value).lower()
    if s in _YES:
        return True
    if s in _NO:
        return False
    raise FieldProblem(N_("use 是 or 否"))


STATUS_LABELS = {
    "enrolled": N_("Enrolled"),
    "transferred": N_("Transferred out"),
    "graduated": N_("Graduated"),
    "suspended": N_("Suspended"),
}
_STATUSES = {
    "在读": "enrolled",
    "在校": "enrolled",
    "转出": "transferred",
    "毕业": "graduated",
    "休学": "suspended",
    "": "enrolled",
}


def parse_status(value) -> str:
    s = text(value)
    if s in _STATUSES:
        return _STATUSES[s]
    raise FieldProblem(N_("status must be 在读, 转出, 毕业 or 休学"))


def parse_phone(value) -> str | None:
    s = re.sub(r"[\s\-]", "", text(value))
    if not s:
        return None
    if not re.fullmatch(r"\+?\d{7,15}", s):
        raise FieldProblem(N_("not a phone number"))
    return s


def parse_name(value) -> str:
    s = re.sub(r"\s+", "", text(value))
    if not s:
        raise FieldProblem(N_("name is missing"))
    if len(s) > 30:
        raise FieldProblem(N_("name is too long"))
    return s
