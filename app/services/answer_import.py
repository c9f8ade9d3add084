"""Batch import of answer sheets (e.g. the city's online test) keyed by 学籍号, like the roster.

Columns: a 学籍号 column, then one column per item (headed 1…N, Q1…, 第1题 …). Every bad row
is reported with row, column and reason; nothing is imported unless every row is valid or the
caller chooses the valid rows only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.errors import RosterError
from app.i18n import _
from app.models import Student
from app.roster import fields, studentno
from app.roster.headers import normalize_header
from app.roster.reading import read_grid
from app.roster.rows import RowProblem
from app.scales.library import get_scale
from app.services import audit
from app.services.assessments import store_result
from app.services.permissions import require
from app.services.vaults import OpenVault

_ITEM = re.compile(r"^(?:q|第|题|item)?(\d{1,3})(?:题)?$")


@dataclass(frozen=True)
class AnswerRow:
    row: int
    student_id: str
    student_no: str
    answers: list[int | None]


@dataclass
class AnswerImportReport:
    rows: list[AnswerRow] = field(default_factory=list)
    invalid: list[RowProblem] = field(default_factory=list)
    imported: int = 0
    critical: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)  # (student no, items)


def preview_answers(vault: OpenVault, path: Path, scale_id: str) -> AnswerImportReport:
    defn = get_scale(scale_id)
    grid = read_grid(Path(path))
    header_row, sno_col, item_cols = None, None, {}
    for r, row in enumerate(grid[:30]):
        cols = {}
        sno = None
        for c, cell in enumerate(row):
            h = normalize_header(cell)
            if h in ("学籍号", "全国学籍号", "学籍编号", "studentno"):
                sno = c
            m = _ITEM.match(h)
            if m and 1 <= int(m[1]) <= defn.item_count:
                cols[int(m[1])] = c
        if sno is not None and len(cols) == defn.item_count:
            header_row, sno_col, item_cols = r, sno, cols
            break
    if header_row is None:
        raise RosterError(
            _("No header row with a 学籍号 column and item columns 1–{n} was found.").format(
                n=defn.item_count
            )
        )
    with vault.session() as s:
        ids = dict(s.execute(select(Student.student_no, Student.id)).all())
    report = AnswerImportReport()
    headers = grid[header_row]
    for r in range(header_row + 1, len(grid)):
        raw = grid[r]
        if all(c in (None, "") for c in raw):
            continue
        rownum = r + 1
        problems = []
        sno = studentno.normalize(fields.text(raw[sno_col] if sno_col < len(raw) else ""))
        if sno not in ids:
            problems.append(
                RowProblem(
                    rownum, str(headers[sno_col]), _("no student with this 学籍号 in the vault")
                )
            )
        answers: list[int | None] = []
        for item in range(1, defn.item_count + 1):
            c = item_cols[item]
            cell = fields.text(raw[c] if c < len(raw) else "")
            if cell == "":
                answers.append(None)
                continue
            try:
                value = int(cell)
            except ValueError:
                value = None
            if value is None or not defn.is_allowed(item, value):
                problems.append(
                    RowProblem(
                        rownum,
                        str(headers[c]),
                        _("“{value}” is not an option ({allowed})").format(
                            value=cell, allowed="/".join(map(str, defn.allowed_values(item)))
                        ),
                    )
                )
                answers.append(None)
            else:
                answers.append(value)
        if problems:
            report.invalid.extend(problems)
        else:
            report.rows.append(AnswerRow(rownum, ids[sno], sno, answers))
    return report


def import_answers(
    vault: OpenVault,
    path: Path,
    scale_id: str,
    *,
    skip_invalid: bool = False,
    plan_id: str | None = None,
) -> AnswerImportReport:
    require(vault.user.role, "edit_student")
    report = preview_answers(vault, path, scale_id)
    if report.invalid and not skip_invalid:
        return report
    with vault.session() as s:
        for row in report.rows:
            _r, result = store_result(
                s,
                row.student_id,
                scale_id,
                row.answers,
                mode="import",
                user_id=vault.user.id,
                plan_id=plan_id,
            )
            report.imported += 1
            if result.critical:
                report.critical.append((row.student_no, tuple(result.critical_items)))
        audit.record(
            s,
            audit.IMPORT,
            object_type="answers",
            detail={
                "file": Path(path).name,
                "scale": get_scale(scale_id).id,
                "rows": report.imported,
            },
        )
    return report
