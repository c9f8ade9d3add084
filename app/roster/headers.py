"""Find the header row under any title rows, and map Chinese column names to roster fields."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.i18n import N_

FIELDS: dict[str, str] = {
    "student_no": N_("Student number (学籍号)"),
    "name": N_("Name"),
    "gender": N_("Gender"),
    "grade": N_("Grade"),
    "class": N_("Class"),
    "birth_date": N_("Birth date"),
    "status": N_("Status"),
    "boarding": N_("Boarding"),
    "left_behind": N_("Left-behind child"),
    "single_parent": N_("Single-parent family"),
    "guardian_name": N_("Guardian name"),
    "guardian_relation": N_("Guardian relation"),
    "guardian_phone": N_("Guardian phone"),
}
REQUIRED = ("student_no", "name", "grade", "class")

# Normalised header text → field. Longer, more specific names are listed before shorter ones.
ALIASES: dict[str, str] = {
    "学籍号": "student_no",
    "全国学籍号": "student_no",
    "学籍编号": "student_no",
    "学生学籍号": "student_no",
    "学籍辅号": "student_no",
    "studentno": "student_no",
    "姓名": "name",
    "学生姓名": "name",
    "名字": "name",
    "name": "name",
    "性别": "gender",
    "gender": "gender",
    "年级": "grade",
    "年级名称": "grade",
    "grade": "grade",
    "班级": "class",
    "班别": "class",
    "班级名称": "class",
    "班": "class",
    "class": "class",
    "出生日期": "birth_date",
    "出生年月": "birth_date",
    "出生年月日": "birth_date",
    "生日": "birth_date",
    "学籍状态": "status",
    "在校状态": "status",
    "状态": "status",
    "是否住校": "boarding",
    "住校": "boarding",
    "是否寄宿": "boarding",
    "寄宿": "boarding",
    "住宿": "boarding",
    "是否留守儿童": "left_behind",
    "留守儿童": "left_behind",
    "是否留守": "left_behind",
    "是否单亲": "single_parent",
    "单亲家庭": "single_parent",
    "单亲": "single_parent",
    "监护人": "guardian_name",
    "监护人姓名": "guardian_name",
    "家长姓名": "guardian_name",
    "家长": "guardian_name",
    "监护人1姓名": "guardian_name",
    "关系": "guardian_relation",
    "与学生关系": "guardian_relation",
    "监护人关系": "guardian_relation",
    "监护人与学生关系": "guardian_relation",
    "家长关系": "guardian_relation",
    "监护人姓名关系": "guardian_relation",
    "联系电话": "guardian_phone",
    "家长电话": "guardian_phone",
    "监护人电话": "guardian_phone",
    "监护人联系电话": "guardian_phone",
    "家长联系电话": "guardian_phone",
    "手机": "guardian_phone",
    "手机号": "guardian_phone",
    "电话": "guardian_phone",
    "监护人手机": "guardian_phone",
    "家长手机": "guardian_phone",
    "监护人姓名电话": "guardian_phone",
}
SCAN_ROWS = 30


def normalize_header(value: object) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"[\s\u3000（）()*：:·_\-/\\]", "", text).lower()


def field_for(header: object, parent: object = None) -> str | None:
    h = normalize_header(header)
    if not h:
        return None
    if parent is not None:
        combined = normalize_header(parent) + h
        if combined in ALIASES:
            return ALIASES[combined]
    return ALIASES.get(h)


@dataclass(frozen=True)
class HeaderGuess:
    row_index: int  # 0-based index into the grid
    mapping: dict[int, str]  # column index → field
    headers: list[str]


def _row_mapping(row: list, parent: list | None) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for i, cell in enumerate(row):
        p = parent[i] if parent is not None and i < len(parent) else None
        if p is not None and p == cell:
            p = None  # a cell merged vertically with its own header
        f = field_for(cell, p)
        if f and f not in mapping.values():
            mapping[i] = f
    return mapping


def guess_header(grid: list[list]) -> HeaderGuess | None:
    """The row among the first rows that names the most known fields (and at least a name)."""
    best: HeaderGuess | None = None
    best_score = 0
    for r in range(min(SCAN_ROWS, len(grid))):
        parent = grid[r - 1] if r > 0 and _is_group_row(grid[r - 1]) else None
        mapping = _row_mapping(grid[r], parent)
        score = len(mapping)
        if "name" in mapping.values() and score >= 2 and score > best_score:
            best_score = score
            best = HeaderGuess(r, mapping, ["" if c is None else str(c) for c in grid[r]])
    return best


def _is_group_row(row: list) -> bool:
    """A row of merged group headings (e.g. 监护人 over 姓名/电话), not a one-cell title."""
    values = {str(c).strip() for c in row if c not in (None, "")}
    return len(values) >= 2
