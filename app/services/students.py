"""Finding students and reading their archive (一生一档). Reads return values, not ORM rows."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, or_, select

from app.db import audit
from app.errors import ValidationError
from app.i18n import N_, _
from app.models import Grade, Guardian, SchoolClass, Student, Warning
from app.risk.levels import LEVEL_ORDER, LEVELS
from app.roster.fields import STATUS_LABELS  # noqa: F401 - the list and archive read it here
from app.services.permissions import allowed, require
from app.services.vaults import OpenVault

GENDER_LABELS = {"M": N_("Male"), "F": N_("Female")}
FLAG_LABELS = {
    "boarding": N_("Boarding"),
    "left_behind": N_("Left-behind child"),
    "single_parent": N_("Single-parent family"),
    "divorced": N_("Parents divorced"),
    "remarried": N_("Reconstituted family"),
    "orphan": N_("Orphan"),
    "bereaved": N_("Bereaved of a parent"),
    "low_income": N_("Low-income family"),
    "migrant": N_("Migrant family"),
    "disabled_family_member": N_("Family member with a disability"),
}
SORT_KEYS = ("student_no", "name", "gender", "class", "status", "birth_date", "risk")
OPEN_WARNING = ("raised", "confirmed")


def _risk_order():
    """The student's most severe open warning as its order (0 = red), 9 without one."""
    order = case({lv.id: lv.order for lv in LEVELS}, value=Warning.level)
    worst = (
        select(func.min(order))
        .where(Warning.student_id == Student.id, Warning.status.in_(OPEN_WARNING))
        .correlate(Student)
        .scalar_subquery()
    )
    return func.coalesce(worst, 9)


@dataclass(frozen=True)
class StudentRow:
    id: str
    student_no: str
    name: str
    gender: str | None
    grade: str
    class_name: str
    status: str
    birth_date: dt.date | None

    def to_json(self) -> dict:
        return {
            "student_no": self.student_no,
            "name": self.name,
            "gender": _(GENDER_LABELS[self.gender]) if self.gender else "",
            "grade": self.grade,
            "class": self.class_name,
            "status": _(STATUS_LABELS.get(self.status, self.status)),
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
        }


@dataclass(frozen=True)
class StudentFilter:
    query: str = ""
    grade_level: int | None = None
    class_id: str | None = None
    status: str | None = None
    level: str | None = None  # an open warning at this level ("any": at any level)


@dataclass(frozen=True)
class ClassInfo:
    id: str
    name: str


@dataclass(frozen=True)
class GradeInfo:
    level: int
    name: str
    classes: tuple[ClassInfo, ...]


@dataclass(frozen=True)
class GuardianInfo:
    id: str
    name: str
    relation: str | None
    phone: str | None


@dataclass(frozen=True)
class StudentArchive:
    row: StudentRow
    boarding: bool
    left_behind: bool
    single_parent: bool
    family_flags: tuple[str, ...]
    diagnosis_note: str | None  # None also when the viewer may not see it
    guardians: tuple[GuardianInfo, ...] = field(default=())
    updated_at: dt.datetime | None = None
    status_on: dt.date | None = None  # since when transferred, graduated or suspended
    status_note: str | None = None


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _query_clause(query: str):
    q = re.sub(r"\s+", "", query).lower()
    if not q:
        return None
    esc = _like_escape(q)
    if re.fullmatch(r"[gljGLJ]?\d[\dxX]*", q):
        return func.lower(Student.student_no).like(f"%{esc}%", escape="\\")
    if re.fullmatch(r"[a-z]+", q):
        # Prefix as a range, so both pinyin indexes serve it (LIKE would scan every row).
        upper = q[:-1] + chr(ord(q[-1]) + 1)
        return or_(
            and_(Student.name_initials >= q, Student.name_initials < upper),
            and_(Student.name_pinyin >= q, Student.name_pinyin < upper),
        )
    return Student.name.like(f"%{esc}%", escape="\\")


def _select_rows(flt: StudentFilter):
    stmt = (
        select(
            Student.id,
            Student.student_no,
            Student.name,
            Student.gender,
            Grade.name,
            SchoolClass.name,
            Student.status,
            Student.birth_date,
        )
        .join(SchoolClass, Student.class_id == SchoolClass.id, isouter=True)
        .join(Grade, SchoolClass.grade_id == Grade.id, isouter=True)
    )
    conditions = []
    clause = _query_clause(flt.query)
    if clause is not None:
        conditions.append(clause)
    if flt.grade_level is not None:
        conditions.append(Grade.level == flt.grade_level)
    if flt.class_id is not None:
        conditions.append(Student.class_id == flt.class_id)
    if flt.status is not None:
        conditions.append(Student.status == flt.status)
    if flt.level is not None:
        at = select(Warning.student_id).where(Warning.status.in_(OPEN_WARNING))
        if flt.level != "any":
            at = at.where(Warning.level == flt.level)
        conditions.append(Student.id.in_(at))
    if conditions:
        stmt = stmt.where(and_(*conditions))
    return stmt


def _order(stmt, sort: str, descending: bool):
    columns = {
        "student_no": [Student.student_no],
        "name": [Student.name_pinyin, Student.student_no],
        "gender": [Student.gender, Student.name_pinyin],
        "class": [Grade.level, SchoolClass.number, Student.name_pinyin],
        "status": [Student.status, Student.name_pinyin],
        "birth_date": [Student.birth_date, Student.name_pinyin],
        "risk": [_risk_order(), Grade.level, SchoolClass.number, Student.name_pinyin],
    }[sort]
    return stmt.order_by(*[c.desc() if descending else c.asc() for c in columns])


def search_students(
    vault: OpenVault,
    flt: StudentFilter = StudentFilter(),
    *,
    sort: str = "class",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[StudentRow]:
    """Search by name, full pinyin, pinyin initials or 学籍号, filtered and sorted in SQL."""
    require(vault.user.role, "view_students")
    if sort not in SORT_KEYS:
        raise ValidationError("sort", _("Unknown sort column."))
    if flt.level is not None or sort == "risk":
        require(vault.user.role, "view_diagnosis")  # who is at risk is counselors' knowledge
    stmt = _order(_select_rows(flt), sort, descending).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    with vault.reading() as s:
        return [
            StudentRow(r[0], r[1], r[2], r[3], r[4] or "", r[5] or "", r[6], r[7])
            for r in s.execute(stmt)
        ]


def open_levels(vault: OpenVault) -> dict[str, str]:
    """Each student with an open warning → its most severe level: the list's 预警 column,
    read once and when warnings change (not on every keystroke of a search)."""
    require(vault.user.role, "view_diagnosis")
    out: dict[str, str] = {}
    with vault.reading() as s:
        q = select(Warning.student_id, Warning.level).where(Warning.status.in_(OPEN_WARNING))
        for sid, lv in s.execute(q):
            if sid not in out or LEVEL_ORDER.get(lv, 9) < LEVEL_ORDER.get(out[sid], 9):
                out[sid] = lv
    return out


def count_students(vault: OpenVault, flt: StudentFilter = StudentFilter()) -> int:
    require(vault.user.role, "view_students")
    if flt.level is not None:
        require(vault.user.role, "view_diagnosis")
    stmt = select(func.count()).select_from(_select_rows(flt).subquery())
    with vault.reading() as s:
        return int(s.scalar(stmt) or 0)


def grades_and_classes(vault: OpenVault) -> list[GradeInfo]:
    with vault.reading() as s:
        grades = s.scalars(select(Grade).order_by(Grade.level)).all()
        return [
            GradeInfo(g.level, g.name, tuple(ClassInfo(c.id, c.name) for c in g.classes))
            for g in grades
        ]


def student_label(vault: OpenVault, student_id: str) -> str:
    """张三（七年级1班）: whom a form or a dialog is about, named in its title."""
    require(vault.user.role, "view_students")
    with vault.reading() as s:
        st = s.get(Student, student_id)
        if st is None:
            return ""
        cls = st.school_class
        return f"{st.name}（{cls.grade.name}{cls.name}）" if cls else st.name


def student_archive(vault: OpenVault, student_id: str) -> StudentArchive:
    """The archive page's data. Viewing is audited, whoever views."""
    require(vault.user.role, "view_students")
    with vault.session() as s:
        st = s.get(Student, student_id)
        if st is None:
            raise ValidationError("student", _("This student no longer exists."))
        cls = st.school_class
        row = StudentRow(
            st.id,
            st.student_no,
            st.name,
            st.gender,
            cls.grade.name if cls else "",
            cls.name if cls else "",
            st.status,
            st.birth_date,
        )
        guardians = tuple(
            GuardianInfo(g.id, g.name, g.relation, g.phone)
            for g in s.scalars(
                select(Guardian).where(Guardian.student_id == st.id, Guardian.active.is_(True))
            )
        )
        note = st.diagnosis_note if allowed(vault.user.role, "view_diagnosis") else None
        audit.record(s, audit.VIEW_STUDENT, object_type="student", object_id=st.id)
        return StudentArchive(
            row,
            st.boarding,
            st.left_behind,
            st.single_parent,
            tuple(st.family_flags or ()),
            note,
            guardians,
            st.updated_at,
            st.status_on,
            st.status_note,
        )


def update_student_flags(
    vault: OpenVault,
    student_id: str,
    *,
    flags: dict[str, bool] | None = None,
    family_flags: list[str] | None = None,
    diagnosis_note: str | None = None,
) -> None:
    """Edit the archive's family-situation flags and the counselor-only note."""
    require(vault.user.role, "edit_student")
    with vault.session() as s:
        st = s.get(Student, student_id)
        for key, value in (flags or {}).items():
            if key in ("boarding", "left_behind", "single_parent"):
                setattr(st, key, bool(value))
        if family_flags is not None:
            st.family_flags = sorted(set(family_flags))
        if diagnosis_note is not None:
            st.diagnosis_note = diagnosis_note or None
        audit.record(s, audit.UPDATE, object_type="student", object_id=st.id)
