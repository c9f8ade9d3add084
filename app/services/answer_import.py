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

from app.db import audit, scalestore
from app.errors import RosterError
from app.i18n import _
from app.models import Student, Warning, utcnow
from app.roster import fields, studentno
from app.roster.headers import normalize_header
from app.roster.reading import read_grid
from app.roster.rows import RowProblem
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
    warnings: list[tuple[str, str, str]] = field(default_factory=list)  # (student no, level, rule)

    def to_json(self) -> dict:
        """The documented `xindang results import --json` shape."""
        return {
            "imported": self.imported,
            "invalid": [p.to_dict() for p in self.invalid],
            "critical": [{"student_no": no, "items": list(items)} for no, items in self.critical],
            "warnings": [
                {"student_no": no, "level": level, "rule": rule}
                for no, level, rule in self.warnings
            ],
        }


def _find_header(grid: list[list], defn) -> tuple[int, int, int | None, dict[int, int], list[int]]:
    """(header row, 学籍号 column, 姓名 column, item → column, item numbers beyond the scale)."""
    for r, row in enumerate(grid[:30]):
        cols: dict[int, int] = {}
        extra: list[int] = []
        sno = name = None
        for c, cell in enumerate(row):
            h = normalize_header(cell)
            if h in ("学籍号", "全国学籍号", "学籍编号", "studentno"):
                sno = c
            elif h in ("姓名", "学生姓名", "name"):
                name = c
            m = _ITEM.match(h)
            if m and 1 <= int(m[1]) <= defn.item_count:
                cols[int(m[1])] = c
            elif m and int(m[1]) > defn.item_count:
                extra.append(int(m[1]))
        if sno is not None and len(cols) == defn.item_count:
            return r, sno, name, cols, sorted(extra)
    raise RosterError(
        _("No header row with a 学籍号 column and item columns 1–{n} was found.").format(
            n=defn.item_count
        )
    )


def preview_answers(vault: OpenVault, path: Path, scale_id: str) -> AnswerImportReport:
    """Every row checked; nothing written. A row is invalid when its 学籍号 is unknown or
    appears twice in the file, its 姓名 disagrees with the roster, an answer is not an option,
    or the file's item columns belong to another scale (a PHQ-9 file imported as GAD-7)."""
    with vault.session() as s:
        defn = scalestore.scale(s, scale_id)
    grid = read_grid(Path(path))
    header_row, sno_col, name_col, item_cols, extra = _find_header(grid, defn)
    with vault.session() as s:
        roster = {
            no: (sid, name)
            for no, sid, name in s.execute(select(Student.student_no, Student.id, Student.name))
        }
    report = AnswerImportReport()
    headers = grid[header_row]
    body = [
        (r + 1, grid[r])
        for r in range(header_row + 1, len(grid))
        if not all(c in (None, "") for c in grid[r])
    ]

    def cell(raw, c):
        return fields.text(raw[c] if c is not None and c < len(raw) else "")

    seen: dict[str, list[int]] = {}
    for rownum, raw in body:
        seen.setdefault(studentno.normalize(cell(raw, sno_col)), []).append(rownum)
    for rownum, raw in body:
        problems = []
        sno = studentno.normalize(cell(raw, sno_col))
        if extra:
            problems.append(
                RowProblem(
                    rownum,
                    str(headers[item_cols[defn.item_count]]),
                    _(
                        "the file has item columns up to {last}, but {scale} has {n} items: "
                        "it may belong to another scale"
                    ).format(last=extra[-1], scale=defn.id, n=defn.item_count),
                )
            )
        if sno not in roster:
            problems.append(
                RowProblem(
                    rownum, str(headers[sno_col]), _("no student with this 学籍号 in the vault")
                )
            )
        elif len(seen[sno]) > 1:
            problems.append(
                RowProblem(
                    rownum,
                    str(headers[sno_col]),
                    _("this 学籍号 appears more than once in the file (rows {rows})").format(
                        rows="、".join(map(str, seen[sno]))
                    ),
                )
            )
        elif name_col is not None and cell(raw, name_col) and cell(raw, name_col) != roster[sno][1]:
            problems.append(
                RowProblem(
                    rownum,
                    str(headers[name_col]),
                    _("“{name}” differs from the roster name “{roster}”").format(
                        name=cell(raw, name_col), roster=roster[sno][1]
                    ),
                )
            )
        answers: list[int | None] = []
        for item in range(1, defn.item_count + 1):
            c = item_cols[item]
            value_text = cell(raw, c)
            if value_text == "":
                answers.append(None)
                continue
            try:
                value = int(value_text)
            except ValueError:
                value = None
            if value is None or not defn.is_allowed(item, value):
                problems.append(
                    RowProblem(
                        rownum,
                        str(headers[c]),
                        _("“{value}” is not an option ({allowed})").format(
                            value=value_text, allowed="/".join(map(str, defn.allowed_values(item)))
                        ),
                    )
                )
                answers.append(None)
            else:
                answers.append(value)
        if problems:
            report.invalid.extend(problems)
        else:
            report.rows.append(AnswerRow(rownum, roster[sno][0], sno, answers))
    return report


def import_answers(
    vault: OpenVault,
    path: Path,
    scale_id: str,
    *,
    skip_invalid: bool = False,
    plan_id: str | None = None,
    dry_run: bool = False,
) -> AnswerImportReport:
    """All rows or nothing (unless `skip_invalid`); the warnings the rows raise are reported."""
    require(vault.user.role, "edit_student")
    report = preview_answers(vault, path, scale_id)
    if (report.invalid and not skip_invalid) or dry_run:
        return report
    started = utcnow()
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
                "scale": scalestore.scale(s, scale_id).id,
                "rows": report.imported,
            },
        )
    numbers = {r.student_id: r.student_no for r in report.rows}
    with vault.session() as s:
        raised = s.execute(
            select(Warning.student_id, Warning.level, Warning.rule_id).where(
                Warning.student_id.in_(list(numbers)),
                Warning.raised_at >= started,
                Warning.status.in_(("raised", "confirmed")),
            )
        )
        order = {sid: i for i, sid in enumerate(numbers)}  # the file's row order
        report.warnings = [
            (numbers[sid], level, rule)
            for sid, level, rule in sorted(raised, key=lambda w: order[w[0]])
        ]
    return report
