"""Validate a roster grid row by row; every problem names its row, column and reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.i18n import N_, _
from app.roster import fields, studentno
from app.roster.headers import FIELDS, REQUIRED, HeaderGuess


@dataclass(frozen=True)
class RosterRow:
    row: int  # 1-based row number as the spreadsheet shows it
    student_no: str
    name: str
    gender: str | None
    grade: int
    class_no: int
    birth_date: dt.date | None
    status: str | None
    boarding: bool | None
    left_behind: bool | None
    single_parent: bool | None
    guardian_name: str | None
    guardian_relation: str | None
    guardian_phone: str | None


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    reason: str

    def to_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


_STUDENT_NO_REASONS = {
    "format": N_(
        "学籍号 must be G followed by the 18-character ID number, or a temporary L/J number"
    ),
    "check_digit": N_("the check digit of the ID number in the 学籍号 is wrong"),
    "birth_date": N_("the birth date inside the 学籍号 is not a real date"),
}


def validate(grid: list[list], header: HeaderGuess) -> tuple[list[RosterRow], list[RowProblem]]:
    mapping = header.mapping
    col_of = {f: c for c, f in mapping.items()}
    problems: list[RowProblem] = []
    missing = [f for f in REQUIRED if f not in col_of]
    if missing:
        for f in missing:
            problems.append(
                RowProblem(header.row_index + 1, _(FIELDS[f]), _("required column not found"))
            )
        return [], problems

    def header_label(f: str) -> str:
        name = header.headers[col_of[f]] if col_of[f] < len(header.headers) else ""
        return name or _(FIELDS[f])

    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    for index in range(header.row_index + 1, len(grid)):
        raw = grid[index]
        if all(c in (None, "") or (isinstance(c, str) and not c.strip()) for c in raw):
            continue
        rownum = index + 1
        cell = {f: (raw[c] if c < len(raw) else None) for f, c in col_of.items()}
        row_problems: list[RowProblem] = []
        values: dict = {}

        def take(f: str, parse, _cell=cell, _values=values, _problems=row_problems, _row=rownum):
            if f not in col_of:
                _values[f] = None
                return
            try:
                _values[f] = parse(_cell[f])
            except fields.FieldProblem as exc:
                _problems.append(RowProblem(_row, header_label(f), _(str(exc))))
                _values[f] = None

        sno = studentno.normalize(fields.text(cell["student_no"]))
        if not sno:
            row_problems.append(
                RowProblem(rownum, header_label("student_no"), _("学籍号 is missing"))
            )
        else:
            why = studentno.problem(sno)
            if why:
                row_problems.append(
                    RowProblem(rownum, header_label("student_no"), _(_STUDENT_NO_REASONS[why]))
                )
            elif sno in seen:
                row_problems.append(
                    RowProblem(
                        rownum,
                        header_label("student_no"),
                        _("the same 学籍号 already appears in row {row}").format(row=seen[sno]),
                    )
                )
            else:
                seen[sno] = rownum
        take("name", fields.parse_name)
        take("gender", fields.parse_gender)
        take("grade", fields.parse_grade)
        take("class", fields.parse_class)
        take("birth_date", fields.parse_date)
        take("status", fields.parse_status)
        take("boarding", fields.parse_flag)
        take("left_behind", fields.parse_flag)
        take("single_parent", fields.parse_flag)
        take("guardian_name", lambda v: fields.text(v) or None)
        take("guardian_relation", lambda v: fields.text(v) or None)
        take("guardian_phone", fields.parse_phone)
        born = studentno.birth_date_of(sno) if sno else None
        if born and values.get("birth_date") and values["birth_date"] != born:
            row_problems.append(
                RowProblem(
                    rownum,
                    header_label("birth_date"),
                    _("does not match the birth date in the 学籍号"),
                )
            )
        if row_problems:
            problems.extend(row_problems)
            continue
        rows.append(
            RosterRow(
                row=rownum,
                student_no=sno,
                name=values["name"],
                gender=values["gender"],
                grade=values["grade"],
                class_no=values["class"],
                birth_date=values["birth_date"] or born,
                status=values["status"],
                boarding=values["boarding"],
                left_behind=values["left_behind"],
                single_parent=values["single_parent"],
                guardian_name=values["guardian_name"],
                guardian_relation=values["guardian_relation"],
                guardian_phone=values["guardian_phone"],
            )
        )
    return rows, problems
