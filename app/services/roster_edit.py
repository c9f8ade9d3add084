"""The roster kept by hand between imports: a student who transfers in, a corrected name or
class, a new guardian's phone, a student who transfers out, graduates or is suspended.

A student typed in is checked by the same rules as a row of a roster file (the 学籍号's check
digit, the grade and class words) and written by the same code (`roster_import.write_rows`),
so a hand-made entry and an imported one never differ."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.db import audit
from app.errors import ValidationError
from app.i18n import _
from app.models import Guardian, Student
from app.models.student import STATUSES
from app.roster.headers import field_for, guess_header
from app.roster.rows import validate
from app.roster.template import HEADINGS, write_template
from app.services import records
from app.services.permissions import require
from app.services.roster_import import ImportReport, write_rows
from app.services.vaults import OpenVault

_GENDER_WORDS = {"M": "男", "F": "女"}


@dataclass(frozen=True)
class StudentEntry:
    """A student as typed into the form (grade is the level, 1–12; gender "M", "F" or None)."""

    student_no: str
    name: str
    grade: int
    class_no: int
    gender: str | None = None
    birth_date: dt.date | None = None
    guardian_name: str = ""
    guardian_relation: str = ""
    guardian_phone: str = ""


@dataclass(frozen=True)
class StudentDetails:
    """What the form shows when a student is edited."""

    id: str
    entry: StudentEntry
    status: str
    status_on: dt.date | None
    status_note: str | None


def _row(entry: StudentEntry):
    """The entry as a one-row roster, headed as the template heads it. Only the columns the form
    edits: an empty 学籍状态 or 是否住校 would read as 在读 or 否 and overwrite what is stored."""
    typed = {
        "student_no": entry.student_no,
        "name": entry.name,
        "gender": _GENDER_WORDS.get(entry.gender or "", ""),
        "grade": str(entry.grade),
        "class": str(entry.class_no),
        "birth_date": entry.birth_date.isoformat() if entry.birth_date else "",
        "guardian_name": entry.guardian_name,
        "guardian_relation": entry.guardian_relation,
        "guardian_phone": entry.guardian_phone,
    }
    columns = [h for h in HEADINGS if field_for(h) in typed]
    grid = [columns, [typed[field_for(h)] for h in columns]]
    rows, problems = validate(grid, guess_header(grid))
    if problems:
        p = problems[0]
        raise ValidationError(p.column, f"{p.column}：{p.reason}")
    return rows[0]


def add_student(vault: OpenVault, entry: StudentEntry) -> str:
    """A student who joins between imports (a transfer in); returns the new student's id."""
    require(vault.user.role, "import_roster")
    row = _row(entry)
    with vault.session() as s:
        known = s.scalars(select(Student).where(Student.student_no == row.student_no)).first()
        if known is not None:
            raise ValidationError(
                "student_no",
                _(
                    "This 学籍号 is already in the roster ({name}); open that student to edit."
                ).format(name=known.name),
            )
        write_rows(s, [row], ImportReport())
        s.flush()
        st = s.scalars(select(Student).where(Student.student_no == row.student_no)).one()
        audit.record(s, audit.CREATE, object_type="student", object_id=st.id)
        return st.id


def student_details(vault: OpenVault, student_id: str) -> StudentDetails:
    require(vault.user.role, "import_roster")
    with vault.reading() as s:
        st = s.get(Student, student_id)
        if st is None:
            raise ValidationError("student", _("This student is not in the roster."))
        guardian = next((g for g in st.guardians if g.active), None)
        klass = st.school_class
        entry = StudentEntry(
            student_no=st.student_no,
            name=st.name,
            grade=klass.grade.level if klass is not None else 1,
            class_no=klass.number if klass is not None else 1,
            gender=st.gender,
            birth_date=st.birth_date,
            guardian_name=guardian.name if guardian else "",
            guardian_relation=(guardian.relation or "") if guardian else "",
            guardian_phone=(guardian.phone or "") if guardian else "",
        )
        return StudentDetails(st.id, entry, st.status, st.status_on, st.status_note)


def edit_student(vault: OpenVault, student_id: str, entry: StudentEntry) -> None:
    """A corrected name, class, birth date or guardian. The 学籍号 is who the student is: it is
    not changed here (a wrong one is a new student and the old one marked transferred)."""
    require(vault.user.role, "import_roster")
    row = _row(entry)
    with vault.session() as s:
        st = s.get(Student, student_id)
        if st is None:
            raise ValidationError("student", _("This student is not in the roster."))
        if st.student_no != row.student_no:
            raise ValidationError("student_no", _("The 学籍号 of a student cannot be changed."))
        write_rows(s, [row], ImportReport())
        audit.record(s, audit.UPDATE, object_type="student", object_id=st.id)


def change_status(
    vault: OpenVault, student_id: str, status: str, on: dt.date, note: str = ""
) -> None:
    """转出, 毕业, 休学 — or back to 在读 — from a given date. The student's archive stays whole;
    lists of enrolled students, plans and screenings leave them out from then on."""
    require(vault.user.role, "import_roster")
    if status not in STATUSES:
        raise ValidationError("status", _("Unknown status."))
    if on > dt.date.today():
        raise ValidationError("status_on", _("The date cannot be in the future."))
    with vault.session() as s:
        st = s.get(Student, student_id)
        if st is None:
            raise ValidationError("student", _("This student is not in the roster."))
        before = st.status
        st.status = status
        st.status_on = on
        st.status_note = note.strip()[:200] or None
        audit.record(
            s,
            audit.UPDATE,
            object_type="student",
            object_id=st.id,
            detail={"status": [before, status], "on": on.isoformat()},
        )
        records.add_in(  # on the timeline and in the case file, with the change
            vault,
            s,
            "status_change",
            occurred_at=dt.datetime.combine(on, dt.time(8, 0)),
            body={"status": status, "since": on, "reason": st.status_note},
            student_id=st.id,
        )


@dataclass(frozen=True)
class GuardianEntry:
    name: str
    relation: str = ""
    phone: str = ""


def guardians_of(vault: OpenVault, student_id: str) -> list[GuardianEntry]:
    """The active guardians, as the edit table shows them."""
    require(vault.user.role, "view_students")
    with vault.reading() as s:
        st = s.get(Student, student_id)
        if st is None:
            raise ValidationError("student", _("This student is not in the roster."))
        shown = sorted((g for g in st.guardians if g.active), key=lambda g: g.created_at)
        return [GuardianEntry(g.name, g.relation or "", g.phone or "") for g in shown]


def set_guardians(vault: OpenVault, student_id: str, guardians: list[GuardianEntry]) -> None:
    """The student's guardians as typed, all of them: one kept by name is updated, a new one
    added, one left out no longer active (kept, never deleted: older contacts name them)."""
    from app.roster.fields import FieldProblem, parse_name, parse_phone

    require(vault.user.role, "import_roster")
    wanted: list[GuardianEntry] = []
    for n, g in enumerate(guardians, start=1):
        if not (g.name.strip() or g.relation.strip() or g.phone.strip()):
            continue  # an empty row of the table
        try:
            name = parse_name(g.name)
            phone = parse_phone(g.phone)
        except FieldProblem as exc:
            raise ValidationError(
                "guardians", _("Guardian {n}: {problem}.").format(n=n, problem=_(str(exc)))
            ) from exc
        wanted.append(GuardianEntry(name, g.relation.strip()[:20], phone or ""))
    with vault.session() as s:
        st = s.get(Student, student_id)
        if st is None:
            raise ValidationError("student", _("This student is not in the roster."))
        active = [g for g in st.guardians if g.active]
        kept = set()
        for w in wanted:
            found = next((g for g in active if g.name == w.name and g.id not in kept), None)
            if found is None:
                found = Guardian(student_id=st.id, name=w.name)
                s.add(found)
                s.flush()
            found.relation, found.phone, found.active = w.relation or None, w.phone or None, True
            kept.add(found.id)
        for g in active:
            if g.id not in kept:
                g.active = False
        audit.record(
            s,
            audit.UPDATE,
            object_type="student",
            object_id=st.id,
            detail={"guardians": len(wanted)},
        )


def roster_template(path: Path) -> Path:
    """The 名册 template, which the importer reads back (app/roster/template.py)."""
    return write_template(path)
