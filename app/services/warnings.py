"""Early warnings: raised by the rules (app/services/risk_evaluation.py) or by a counselor's own
judgment, and followed through review, a follow-up plan and resolution. Screening alone never
labels a student: a raised warning waits for a counselor's review, and every step needs the words
the counselor typed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import audit
from app.errors import ValidationError
from app.i18n import _
from app.models import (
    Grade,
    SchoolClass,
    Student,
    Warning,
    WarningTask,
    new_id,
    utcnow,
)
from app.risk.levels import LEVEL_IDS, LEVEL_ORDER, URGENT
from app.services.permissions import require
from app.services.risk_evaluation import (
    SKIP,
    EvaluationReport,
    evaluate_students,
    open_warnings,
    raise_warning,
)
from app.services.vaults import OpenVault
from app.services.warning_rules import active_rule_set, save_rule_set, validate_rules

__all__ = ["EvaluationReport", "active_rule_set", "save_rule_set", "validate_rules"]

OPEN = ("raised", "confirmed")


@dataclass(frozen=True)
class WarningRow:
    id: str
    student_id: str
    student_name: str
    class_label: str
    level: str
    status: str
    rule_id: str
    rule_set_version: int | None
    evidence: tuple[dict, ...]
    raised_at: dt.datetime
    flags: tuple[str, ...] = ()
    student_no: str = ""
    acknowledged: bool = False
    grade: str = ""


def _text(value: object, what: str, message: str) -> str:
    """The words a counselor typed; a click's `False` or an empty box is refused."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(what, message)
    return value.strip()


def evaluate_all(vault: OpenVault, today: dt.date | None = None) -> EvaluationReport:
    """Run the rules in force over every enrolled student (after a rule change, say)."""
    require(vault.user.role, "edit_student")
    with vault.session() as s:
        s.info[SKIP] = True
        report = evaluate_students(s, None, today)
        audit.record(
            s,
            "evaluate_warnings",
            object_type="warning_rules",
            detail={"raised": report.raised, "escalated": report.escalated},
        )
    return report


def raise_manual(vault: OpenVault, student_id: str, level: str, reason: str, note: str = "") -> str:
    """A counselor's own judgment raises a warning like any rule; returns the warning's id.

    An open warning at the same or a higher level takes the reason as new evidence instead.
    """
    require(vault.user.role, "view_diagnosis")
    if level not in LEVEL_IDS:
        raise ValidationError("level", _("Choose a warning level."))
    reason = _text(reason, "reason", _("Give the reason for this warning."))
    note = note.strip() if isinstance(note, str) else ""
    with vault.session() as s:
        if s.get(Student, student_id) is None:
            raise ValidationError("student", _("This student no longer exists."))
        evidence = {"type": "manual", "id": new_id(), "reason": reason}
        if note:
            evidence["note"] = note
        existing = open_warnings(s, [student_id]).get(student_id)
        if existing is not None and LEVEL_ORDER[existing.level] < LEVEL_ORDER[level]:
            existing.evidence = [*(existing.evidence or ()), evidence]  # the words are kept
            return existing.id
        _outcome, w = raise_warning(s, student_id, level, "manual", None, [evidence], existing)
        s.flush()
        return w.id


def _review_note(note: object, confirmed: bool) -> str:
    return _text(
        note,
        "note",
        _("Write what the interview showed.")
        if confirmed
        else _("Give a reason for dismissing the warning."),
    )


def review(vault: OpenVault, warning_id: str, *, confirmed: bool, note: str) -> None:
    """After talking with the student: confirm, or dismiss with a reason."""
    require(vault.user.role, "view_diagnosis")
    note = _review_note(note, confirmed)
    with vault.session() as s:
        w = s.get(Warning, warning_id)
        if w.status != "raised":
            raise ValidationError("status", _("This warning has already been reviewed."))
        w.status = "confirmed" if confirmed else "dismissed"
        w.reviewed_at, w.reviewed_by, w.review_note = utcnow(), vault.user.id, note
        audit.record(
            s, audit.UPDATE, object_type="warning", object_id=w.id, detail={"status": w.status}
        )


def review_many(vault: OpenVault, warning_ids: list[str], *, confirmed: bool, note: str) -> int:
    """After a school-wide screening: many 三级/关注 warnings reviewed with one note, in one
    transaction (all or none). A 一级/二级 warning is never dismissed in a batch: each one is
    dismissed on its own, with its own reason."""
    require(vault.user.role, "view_diagnosis")
    note = _review_note(note, confirmed)
    ids = list(dict.fromkeys(warning_ids))
    if not ids:
        raise ValidationError("warnings", _("Select the warnings to review."))
    with vault.session() as s:
        chosen = s.scalars(select(Warning).where(Warning.id.in_(ids))).all()
        if len(chosen) != len(ids):
            raise ValidationError("warnings", _("Some of these warnings no longer exist."))
        reviewed = sum(1 for w in chosen if w.status != "raised")
        if reviewed:
            raise ValidationError(
                "status",
                _("{n} of the selected warnings have already been reviewed.").format(n=reviewed),
            )
        urgent = sum(1 for w in chosen if w.level in URGENT)
        if not confirmed and len(chosen) > 1 and urgent:
            raise ValidationError(
                "level",
                _(
                    "{n} of the selected warnings are level 1 or 2: dismiss each of them on its"
                    " own, with its own reason."
                ).format(n=urgent),
            )
        now = utcnow()
        for w in chosen:
            w.status = "confirmed" if confirmed else "dismissed"
            w.reviewed_at, w.reviewed_by, w.review_note = now, vault.user.id, note
        audit.record(
            s,
            audit.UPDATE,
            object_type="warning",
            detail={"status": "confirmed" if confirmed else "dismissed", "count": len(chosen)},
        )
    return len(ids)


def add_task(vault: OpenVault, warning_id: str, title: str, due_on: dt.date) -> str:
    require(vault.user.role, "view_diagnosis")
    title = _text(title, "title", _("Describe the task."))
    if not isinstance(due_on, dt.date):
        raise ValidationError("due_on", _("Choose the due date."))
    with vault.session() as s:
        t = WarningTask(warning_id=warning_id, title=title, due_on=due_on)
        s.add(t)
        s.flush()
        audit.record(s, audit.CREATE, object_type="warning_task", object_id=t.id)
        return t.id


def complete_task(vault: OpenVault, task_id: str) -> None:
    with vault.session() as s:
        t = s.get(WarningTask, task_id)
        t.done_at, t.done_by = utcnow(), vault.user.id
        audit.record(
            s, audit.UPDATE, object_type="warning_task", object_id=t.id, detail={"done": True}
        )


def resolve(vault: OpenVault, warning_id: str, note: str) -> None:
    require(vault.user.role, "view_diagnosis")
    note = _text(note, "note", _("Write how the warning was resolved."))
    with vault.session() as s:
        w = s.get(Warning, warning_id)
        if w.status != "confirmed":
            raise ValidationError("status", _("Only a confirmed warning can be resolved."))
        w.status, w.resolved_at, w.resolved_by, w.resolution_note = (
            "resolved",
            utcnow(),
            vault.user.id,
            note,
        )
        audit.record(
            s, audit.UPDATE, object_type="warning", object_id=w.id, detail={"status": "resolved"}
        )


def rows_where(s: Session, *where) -> list[WarningRow]:
    """Warnings as rows, by the columns they show (no ORM entity per warning: the school-wide
    queue has thousands)."""
    q = (
        select(
            Warning.id,
            Warning.student_id,
            Student.name,
            Grade.name,
            SchoolClass.name,
            Warning.level,
            Warning.status,
            Warning.rule_id,
            Warning.rule_set_version,
            Warning.evidence,
            Warning.raised_at,
            Warning.flags,
            Student.student_no,
            Warning.acknowledged_at,
        )
        .select_from(Warning)
        .join(Student, Warning.student_id == Student.id)
        .join(SchoolClass, Student.class_id == SchoolClass.id, isouter=True)
        .join(Grade, SchoolClass.grade_id == Grade.id, isouter=True)
        .where(*where)
    )
    out = [
        WarningRow(
            wid,
            sid,
            name,
            f"{g or ''}{c or ''}",
            level,
            status,
            rule_id,
            version,
            tuple(evidence or ()),
            raised_at,
            tuple(flags or ()),
            sno,
            acknowledged_at is not None,
            g or "",
        )
        for (
            wid,
            sid,
            name,
            g,
            c,
            level,
            status,
            rule_id,
            version,
            evidence,
            raised_at,
            flags,
            sno,
            acknowledged_at,
        ) in s.execute(q)
    ]
    out.sort(key=lambda r: (LEVEL_ORDER[r.level], r.raised_at, r.student_no or "", r.id))
    return out


def queue(vault: OpenVault) -> list[WarningRow]:
    """Open warnings, most severe first."""
    require(vault.user.role, "view_diagnosis")
    with vault.reading() as s:
        return rows_where(s, Warning.status.in_(OPEN))


def listing(vault: OpenVault, *, open_only: bool = False) -> list[WarningRow]:
    """Every warning (or the open ones), most severe first: `xindang warnings list`."""
    if open_only:
        return queue(vault)
    require(vault.user.role, "view_diagnosis")
    with vault.reading() as s:
        return rows_where(s)


def history(vault: OpenVault, student_id: str) -> list[WarningRow]:
    """A student's warnings over time, for the level-over-time view on the archive page."""
    require(vault.user.role, "view_diagnosis")
    with vault.reading() as s:
        rows = rows_where(s, Warning.student_id == student_id)
    return sorted(rows, key=lambda r: r.raised_at)


@dataclass(frozen=True)
class TaskRow:
    id: str
    warning_id: str
    student_name: str
    title: str
    due_on: dt.date
    student_id: str = ""


def overdue_tasks(vault: OpenVault, today: dt.date | None = None) -> list[TaskRow]:
    require(vault.user.role, "view_diagnosis")
    today = today or dt.date.today()
    with vault.session() as s:
        q = (
            select(WarningTask, Student.name, Student.id)
            .join(Warning, WarningTask.warning_id == Warning.id)
            .join(Student, Warning.student_id == Student.id)
            .where(WarningTask.done_at.is_(None), WarningTask.due_on < today)
            .order_by(WarningTask.due_on)
        )
        return [
            TaskRow(t.id, t.warning_id, name, t.title, t.due_on, sid)
            for t, name, sid in s.execute(q)
        ]


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows; every part optional. `place` is "grade:七年级" or "class:七年级3班"."""

    level: str | None = None
    status: str | None = None
    place: str | None = None
    raised_from: dt.date | None = None
    raised_to: dt.date | None = None
    overdue_only: bool = False


def place_keys(row: WarningRow) -> tuple[str, ...]:
    """The places a warning falls under: its grade and its class."""
    grade = f"grade:{row.grade}" if row.grade else ""
    klass = f"class:{row.class_label}" if row.class_label else ""
    return tuple(k for k in (grade, klass) if k)


def select_rows(
    rows: list[WarningRow], f: QueueFilter, overdue_ids: frozenset[str] = frozenset()
) -> list[WarningRow]:
    """The queue's rows the filter keeps, in the queue's order (the page and the CLI agree)."""
    return [
        r
        for r in rows
        if (f.level is None or r.level == f.level)
        and (f.status is None or r.status == f.status)
        and (f.place is None or f.place in place_keys(r))
        and (f.raised_from is None or r.raised_at.date() >= f.raised_from)
        and (f.raised_to is None or r.raised_at.date() <= f.raised_to)
        and (not f.overdue_only or r.id in overdue_ids)
    ]


def overdue_task_count(vault: OpenVault, today: dt.date | None = None) -> int:
    """How many follow-up tasks are past their date (counted in SQL)."""
    require(vault.user.role, "view_diagnosis")
    today = today or dt.date.today()
    with vault.reading() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(WarningTask)
                .where(WarningTask.done_at.is_(None), WarningTask.due_on < today)
            )
            or 0
        )


def counts_by_class(vault: OpenVault) -> dict[str, dict[str, int]]:
    """Open warnings per class and level, for the counseling lead's overview (no names);
    in school order (七年级1班, 七年级2班 … 七年级10班, 八年级1班 …)."""
    require(vault.user.role, "view_diagnosis")
    out: dict[str, dict[str, int]] = {}
    with vault.session() as s:
        q = (
            select(Grade.name, SchoolClass.name, Warning.level)
            .join(Student, Warning.student_id == Student.id)
            .join(SchoolClass, Student.class_id == SchoolClass.id)
            .join(Grade, SchoolClass.grade_id == Grade.id)
            .where(Warning.status.in_(OPEN))
            .order_by(Grade.level, SchoolClass.number)
        )
        for grade, klass, level in s.execute(q):
            out.setdefault(f"{grade}{klass}", dict.fromkeys(LEVEL_IDS, 0))[level] += 1
    return out


def counts_by_grade(vault: OpenVault) -> dict[str, dict[str, int]]:
    """The same per grade."""
    require(vault.user.role, "view_diagnosis")
    out: dict[str, dict[str, int]] = {}
    with vault.session() as s:
        q = (
            select(Grade.name, Warning.level)
            .join(Student, Warning.student_id == Student.id)
            .join(SchoolClass, Student.class_id == SchoolClass.id)
            .join(Grade, SchoolClass.grade_id == Grade.id)
            .where(Warning.status.in_(OPEN))
            .order_by(Grade.level)
        )
        for grade, level in s.execute(q):
            out.setdefault(grade, dict.fromkeys(LEVEL_IDS, 0))[level] += 1
    return out
