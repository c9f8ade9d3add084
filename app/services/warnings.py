"""Early warnings: evaluate the rule set, raise warnings with their evidence, and follow them
through review, a follow-up plan and resolution. Screening alone never labels a student: a
raised warning waits for a counselor's review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.i18n import _
from app.models import (
    AssessmentResult,
    Grade,
    Record,
    SchoolClass,
    Student,
    Warning,
    WarningRuleSet,
    WarningTask,
    utcnow,
)
from app.risk.rules import LEVEL_ORDER, ResultEvidence, StudentEvidence, evaluate, load_rule_set
from app.scales.library import get_scale
from app.services import audit
from app.services.permissions import require
from app.services.vaults import OpenVault

OPEN = ("raised", "confirmed")
LEVEL_LABELS = {
    "red": "一级（红）",
    "orange": "二级（橙）",
    "yellow": "三级（黄）",
    "watch": "关注",
}


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


@dataclass
class EvaluationReport:
    evaluated: int = 0
    raised: int = 0
    escalated: int = 0
    unchanged: int = 0


def _default_rules() -> dict:
    from app.paths import resources_dir

    return load_rule_set(resources_dir() / "risk" / "default_rules.json")


def active_rule_set(s: Session) -> tuple[int, dict]:
    """The newest rule set; the documented default is installed as version 1 on first use."""
    row = s.scalars(select(WarningRuleSet).order_by(WarningRuleSet.version.desc()).limit(1)).first()
    if row is None:
        rules = _default_rules()
        row = WarningRuleSet(version=1, rules=rules, note=rules.get("note"))
        s.add(row)
        s.flush()
    return row.version, row.rules


def validate_rules(rules: dict) -> None:
    """A rule set must evaluate and use known levels; checked before any version is stored."""
    probe = StudentEvidence("probe")
    try:
        evaluate(rules, probe, dt.date.today())
        levels = {r["level"] for r in rules["rules"]}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationError(
            "rules", _("The rule set is not valid: {error}").format(error=exc)
        ) from exc
    if not levels <= set(LEVEL_ORDER):
        raise ValidationError("rules", _("Unknown warning level."))


def save_rule_set(vault: OpenVault, rules: dict, note: str = "") -> int:
    """Admins edit the rules; each save is a new version, so old warnings stay explainable."""
    require(vault.user.role, "change_settings")
    validate_rules(rules)
    with vault.session() as s:
        version, _rules = active_rule_set(s)
        s.add(WarningRuleSet(version=version + 1, rules=rules, note=note, created_by=vault.user.id))
        audit.record(s, audit.UPDATE, object_type="warning_rules", detail={"version": version + 1})
        return version + 1


def gather_evidence(s: Session, student_ids: list[str] | None = None) -> dict[str, StudentEvidence]:
    """Everything the rules look at, for many students, in a handful of queries."""
    students = select(Student.id, Student.diagnosis_note).where(Student.status == "enrolled")
    if student_ids is not None:
        students = students.where(Student.id.in_(student_ids))
    out = {sid: StudentEvidence(sid, diagnosis=bool(note)) for sid, note in s.execute(students)}
    latest = (
        select(
            AssessmentResult.student_id,
            AssessmentResult.scale_id,
            func.max(AssessmentResult.administered_at).label("at"),
        )
        .where(AssessmentResult.status == "final")
        .group_by(AssessmentResult.student_id, AssessmentResult.scale_id)
        .subquery()
    )
    rows = s.execute(
        select(AssessmentResult)
        .join(
            latest,
            (AssessmentResult.student_id == latest.c.student_id)
            & (AssessmentResult.scale_id == latest.c.scale_id)
            & (AssessmentResult.administered_at == latest.c.at),
        )
        .where(AssessmentResult.status == "final")
    ).scalars()
    official: dict[str, dict[int, bool]] = {}
    for r in rows:
        ev = out.get(r.student_id)
        if ev is None:
            continue
        if r.scale_id not in official:
            official[r.scale_id] = {
                c["item"]: c["official"]
                for c in get_scale(r.scale_id).raw.get("critical_items", [])
            }
        crit = tuple((i, official[r.scale_id].get(i, False)) for i in (r.critical_items or ()))
        ev.results.append(
            ResultEvidence(r.id, r.scale_id, r.band_id, r.valid, crit, r.administered_at)
        )
    recs = s.execute(
        select(Record.id, Record.student_id, Record.kind, Record.body, Record.occurred_at)
        .where(
            Record.voided_at.is_(None), Record.kind.in_(("life_event", "observation", "referral"))
        )
        .order_by(Record.occurred_at)
    )
    for rid, sid, kind, body, when in recs:
        ev = out.get(sid)
        if ev is None:
            continue
        if kind == "life_event":
            ev.events.append((rid, body.get("event_type", "other"), when))
        elif kind == "observation":
            ev.observations.append((rid, when))
        else:
            ev.referral = (rid, body.get("status", "suggested"))
    return out


def _open_warnings(s: Session, student_ids=None) -> dict[str, Warning]:
    """The most severe open warning per student."""
    q = select(Warning).where(Warning.status.in_(OPEN))
    if student_ids is not None:
        q = q.where(Warning.student_id.in_(student_ids))
    out: dict[str, Warning] = {}
    for w in s.scalars(q):
        cur = out.get(w.student_id)
        if cur is None or LEVEL_ORDER[w.level] < LEVEL_ORDER[cur.level]:
            out[w.student_id] = w
    return out


def _raise(
    s: Session,
    student_id: str,
    level: str,
    rule_id: str,
    version: int | None,
    evidence: list[dict],
    existing: Warning | None,
) -> str:
    """'raised', 'escalated' or 'unchanged' (an open warning at this level or higher exists)."""
    if existing is not None and LEVEL_ORDER[existing.level] <= LEVEL_ORDER[level]:
        return "unchanged"
    w = Warning(
        student_id=student_id,
        level=level,
        rule_id=rule_id,
        rule_set_version=version,
        evidence=evidence,
        raised_at=utcnow(),
    )
    s.add(w)
    if existing is not None:
        existing.status = "resolved"
        existing.resolved_at = utcnow()
        existing.resolution_note = _("Escalated to a higher level.")
    s.flush()
    audit.record(
        s,
        audit.CREATE,
        object_type="warning",
        object_id=w.id,
        detail={"level": level, "rule": rule_id},
    )
    return "escalated" if existing is not None else "raised"


def raise_for_critical(
    s: Session, student_id: str, scale_id: str, item: int, official: bool, alert_id: str
) -> None:
    """Called in the transaction that stores a critical answer, so the warning can never be lost."""
    version, rules = active_rule_set(s)
    rule_id = "critical-official" if official else "critical-policy"
    rule = next((r for r in rules["rules"] if r["id"] == rule_id), None)
    level = rule["level"] if rule else ("red" if official else "orange")
    evidence = [{"type": "critical", "id": alert_id, "scale": scale_id, "item": item}]
    _raise(
        s,
        student_id,
        level,
        rule_id,
        version,
        evidence,
        _open_warnings(s, [student_id]).get(student_id),
    )


def evaluate_all(vault: OpenVault, today: dt.date | None = None) -> EvaluationReport:
    """Run the active rules over every enrolled student (after a semester's assessment, say)."""
    require(vault.user.role, "edit_student")
    today = today or dt.date.today()
    report = EvaluationReport()
    with vault.session() as s:
        version, rules = active_rule_set(s)
        evidence = gather_evidence(s)
        existing = _open_warnings(s)
        for sid, ev in evidence.items():
            report.evaluated += 1
            match = evaluate(rules, ev, today)
            if match is None:
                continue
            outcome = _raise(
                s, sid, match.level, match.rule_id, version, list(match.evidence), existing.get(sid)
            )
            setattr(report, outcome, getattr(report, outcome) + 1)
        audit.record(
            s,
            "evaluate_warnings",
            object_type="warning_rules",
            detail={"version": version, "raised": report.raised, "escalated": report.escalated},
        )
    return report


def review(vault: OpenVault, warning_id: str, *, confirmed: bool, note: str) -> None:
    """After talking with the student: confirm, or dismiss with a reason."""
    require(vault.user.role, "view_diagnosis")
    if not confirmed and not note.strip():
        raise ValidationError("note", _("Give a reason for dismissing the warning."))
    with vault.session() as s:
        w = s.get(Warning, warning_id)
        if w.status != "raised":
            raise ValidationError("status", _("This warning has already been reviewed."))
        w.status = "confirmed" if confirmed else "dismissed"
        w.reviewed_at, w.reviewed_by, w.review_note = utcnow(), vault.user.id, note.strip() or None
        audit.record(
            s, audit.UPDATE, object_type="warning", object_id=w.id, detail={"status": w.status}
        )


def add_task(vault: OpenVault, warning_id: str, title: str, due_on: dt.date) -> str:
    require(vault.user.role, "view_diagnosis")
    if not title.strip():
        raise ValidationError("title", _("Describe the task."))
    with vault.session() as s:
        t = WarningTask(warning_id=warning_id, title=title.strip(), due_on=due_on)
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


def _rows(s: Session, q) -> list[WarningRow]:
    q = (
        q.join(Student, Warning.student_id == Student.id)
        .join(SchoolClass, Student.class_id == SchoolClass.id, isouter=True)
        .join(Grade, SchoolClass.grade_id == Grade.id, isouter=True)
    )
    out = []
    for w, name, g, c in s.execute(q.add_columns(Student.name, Grade.name, SchoolClass.name)):
        out.append(
            WarningRow(
                w.id,
                w.student_id,
                name,
                f"{g or ''}{c or ''}",
                w.level,
                w.status,
                w.rule_id,
                w.rule_set_version,
                tuple(w.evidence or ()),
                w.raised_at,
            )
        )
    out.sort(key=lambda r: (LEVEL_ORDER[r.level], r.raised_at))
    return out


def queue(vault: OpenVault) -> list[WarningRow]:
    """Open warnings, most severe first."""
    require(vault.user.role, "view_diagnosis")
    with vault.session() as s:
        return _rows(s, select(Warning).where(Warning.status.in_(OPEN)))


def history(vault: OpenVault, student_id: str) -> list[WarningRow]:
    """A student's warnings over time, for the level-over-time view on the archive page."""
    require(vault.user.role, "view_diagnosis")
    with vault.session() as s:
        rows = _rows(s, select(Warning).where(Warning.student_id == student_id))
    return sorted(rows, key=lambda r: r.raised_at)


@dataclass(frozen=True)
class TaskRow:
    id: str
    warning_id: str
    student_name: str
    title: str
    due_on: dt.date


def overdue_tasks(vault: OpenVault, today: dt.date | None = None) -> list[TaskRow]:
    require(vault.user.role, "view_diagnosis")
    today = today or dt.date.today()
    with vault.session() as s:
        q = (
            select(WarningTask, Student.name)
            .join(Warning, WarningTask.warning_id == Warning.id)
            .join(Student, Warning.student_id == Student.id)
            .where(WarningTask.done_at.is_(None), WarningTask.due_on < today)
            .order_by(WarningTask.due_on)
        )
        return [TaskRow(t.id, t.warning_id, name, t.title, t.due_on) for t, name in s.execute(q)]


def counts_by_class(vault: OpenVault) -> dict[str, dict[str, int]]:
    """Open warnings per class and level, for the counseling lead's overview (no names)."""
    out: dict[str, dict[str, int]] = {}
    for r in queue(vault):
        out.setdefault(r.class_label, dict.fromkeys(LEVEL_ORDER, 0))[r.level] += 1
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
        )
        for grade, level in s.execute(q):
            out.setdefault(grade, dict.fromkeys(LEVEL_ORDER, 0))[level] += 1
    return out
