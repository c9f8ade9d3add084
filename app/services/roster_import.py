"""Roster import: one use case for the CLI and the UI wizard.

All or nothing: a file with invalid rows imports nothing unless the caller asks for the valid
rows only. Re-importing the same file changes nothing; students are matched by 学籍号.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.db import audit
from app.errors import RosterError
from app.i18n import _
from app.models import Grade, Guardian, School, SchoolClass, Student, new_id
from app.roster.fields import GRADE_NAMES
from app.roster.headers import HeaderGuess, guess_header
from app.roster.names import pinyin_keys
from app.roster.reading import read_grid
from app.roster.rows import RosterRow, RowProblem, validate
from app.services.permissions import require
from app.services.vaults import OpenVault

# progress(done, total, words): called every 200 rows; it may raise Cancelled, and then the
# import's one transaction rolls back and nothing is imported.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class RosterPreview:
    path: Path
    grid: list[list]
    header: HeaderGuess
    rows: list[RosterRow]
    problems: list[RowProblem]


@dataclass
class ClassChange:
    student_no: str
    old: str
    new: str

    def describe(self) -> str:
        return _("Class change: {no} {old} → {new}").format(
            no=self.student_no, old=self.old, new=self.new
        )


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: list[RowProblem] = field(default_factory=list)
    class_changes: list[ClassChange] = field(default_factory=list)
    applied: bool = False

    def summary(self) -> str:
        return _(
            "Created {created}, updated {updated}, unchanged {unchanged}, invalid rows {invalid}."
        ).format(
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            invalid=len({p.row for p in self.invalid}),
        )

    def to_json(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": [p.to_dict() for p in self.invalid],
            "class_changes": [c.__dict__ for c in self.class_changes],
            "applied": self.applied,
        }


def preview_roster(path: Path, mapping: dict[int, str] | None = None) -> RosterPreview:
    """Read and validate without touching the vault; `mapping` overrides the guessed columns."""
    grid = read_grid(Path(path))
    header = guess_header(grid)
    if header is None:
        raise RosterError(
            _("No header row with a 姓名 column was found in the first rows of the file.")
        )
    if mapping is not None:
        header = HeaderGuess(header.row_index, dict(mapping), header.headers)
    rows, problems = validate(grid, header)
    return RosterPreview(Path(path), grid, header, rows, problems)


class _DryRun(Exception):  # noqa: N818 - rolls the transaction back on purpose
    def __init__(self, report: ImportReport) -> None:
        self.report = report


def import_roster(
    vault: OpenVault,
    path: Path,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    mapping: dict[int, str] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    require(vault.user.role, "import_roster")
    preview = preview_roster(path, mapping)
    return apply_preview(
        vault, preview, skip_invalid=skip_invalid, dry_run=dry_run, progress=progress
    )


def apply_preview(
    vault: OpenVault,
    preview: RosterPreview,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    require(vault.user.role, "import_roster")
    report = ImportReport(invalid=list(preview.problems))
    if preview.problems and not skip_invalid:
        return report
    try:
        with vault.session() as s:
            write_rows(s, preview.rows, report, progress)
            if dry_run:
                raise _DryRun(report)
            audit.record(
                s,
                audit.IMPORT,
                object_type="roster",
                detail={
                    "file": preview.path.name,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "invalid": len(report.invalid),
                },
            )
    except _DryRun:
        return report
    report.applied = True
    return report


# Rows written per flush: the driver's executemany keeps the GIL for its whole batch (each
# step releases it, but takes it back before the window's thread wakes), so one flush of a
# 5,000-row roster held the window for ~100 ms; 200 rows hold it for a few.
FLUSH_EVERY = 200


def write_rows(
    s, rows: list[RosterRow], report: ImportReport, progress: Progress | None = None
) -> None:
    """Create or update each row's student (by 学籍号), its class and its guardian; the same
    for a roster file and for a student entered by hand (app/services/roster_edit.py)."""
    school = s.scalars(select(School)).first()
    grades = {g.level: g for g in s.scalars(select(Grade).where(Grade.school_id == school.id))}
    classes = {(c.grade_id, c.number): c for c in s.scalars(select(SchoolClass))}
    grade_of = {g.id: g for g in grades.values()}
    class_label = {c.id: f"{grade_of[c.grade_id].name}{c.name}" for c in classes.values()}
    existing = {st.student_no: st for st in s.scalars(select(Student))}
    guardians: dict[str, list[Guardian]] = {}
    for g in s.scalars(select(Guardian)):
        guardians.setdefault(g.student_id, []).append(g)

    def class_for(level: int, number: int) -> SchoolClass:
        grade = grades.get(level)
        if grade is None:
            grade = Grade(id=new_id(), school_id=school.id, level=level, name=GRADE_NAMES[level])
            s.add(grade)
            grades[level] = grade
        cls = classes.get((grade.id, number))
        if cls is None:
            cls = SchoolClass(id=new_id(), grade_id=grade.id, number=number, name=f"{number}班")
            s.add(cls)
            classes[(grade.id, number)] = cls
            class_label[cls.id] = f"{grade.name}{cls.name}"
        return cls

    total = max(1, len(rows))
    for i, row in enumerate(rows):
        cls = class_for(row.grade, row.class_no)
        student = existing.get(row.student_no)
        full, initials = pinyin_keys(row.name)
        wanted = {
            "name": row.name,
            "name_pinyin": full,
            "name_initials": initials,
            "class_id": cls.id,
        }
        for attr in ("gender", "birth_date", "status", "boarding", "left_behind", "single_parent"):
            value = getattr(row, attr)
            if value is not None:
                wanted[attr] = value
        is_new = student is None
        changed = False
        if student is None:
            student = Student(id=new_id(), student_no=row.student_no, **wanted)
            s.add(student)
            existing[row.student_no] = student
        else:
            old_class = student.class_id
            for attr, value in wanted.items():
                if getattr(student, attr) != value:
                    setattr(student, attr, value)
                    changed = True
            if old_class != cls.id:
                report.class_changes.append(
                    ClassChange(
                        row.student_no,
                        class_label.get(old_class, "") if old_class else "",
                        class_label[cls.id],
                    )
                )
        if row.guardian_name:
            changed |= _upsert_guardian(s, student, guardians.setdefault(student.id, []), row)
        if is_new:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
        if i % FLUSH_EVERY == FLUSH_EVERY - 1:
            s.flush()
        if progress and i % 200 == 0:
            progress(i, total, "")
    if progress:
        progress(total, total, "")


def _upsert_guardian(s, student: Student, known: list[Guardian], row: RosterRow) -> bool:
    match = next((g for g in known if g.name == row.guardian_name), None)
    if match is None:
        g = Guardian(
            id=new_id(),
            student_id=student.id,
            name=row.guardian_name,
            relation=row.guardian_relation,
            phone=row.guardian_phone,
        )
        s.add(g)
        known.append(g)
        return True
    changed = False
    for attr in ("relation", "phone"):
        value = getattr(row, f"guardian_{attr}")
        if value is not None and getattr(match, attr) != value:
            setattr(match, attr, value)
            changed = True
    return changed
