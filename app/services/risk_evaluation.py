"""Evidence → rules → warnings, in the same transaction as the evidence.

One hook watches every flush for new evidence — a stored result, a critical answer, a session's
risk screen, an observation, a life event, a referral, a diagnosis — and, just before the
transaction commits, evaluates the rules for the students it touched. A warning can therefore
never lag behind the answer that warrants it, whichever path stored the answer (kiosk, paper grid,
batch import, CLI, sync). The school-wide run remains for rule changes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from app.db import audit, scalestore
from app.i18n import _
from app.models import (
    AssessmentResult,
    CriticalAlert,
    DoubleEntrySheet,
    Record,
    ScanSheet,
    Student,
    Warning,
    WarningTask,
    utcnow,
)
from app.records.choices import observation_urgency
from app.records.kinds import KINDS, current_body
from app.records.semesters import semester_bounds
from app.risk.levels import LEVEL_ORDER, URGENT
from app.risk.rules import (
    PendingAlert,
    ResultEvidence,
    RuleFailure,
    SessionRisk,
    StudentEvidence,
    counting_results,
    evaluate,
)
from app.scales.definition import text_of
from app.scales.library import UnknownScale
from app.services.warning_rules import active_rule_set

log = logging.getLogger(__name__)

SKIP = "risk_hook_off"  # session.info flag: the caller evaluates itself (school-wide run)
_PENDING = "risk_students"
_EVIDENCE_KINDS = frozenset(k.key for k in KINDS.values() if k.evidence)
RISK_FIELDS = ("risk_suicide", "risk_self_harm", "risk_others")
_installed = False


@dataclass
class EvaluationReport:
    evaluated: int = 0
    raised: int = 0
    escalated: int = 0
    unchanged: int = 0
    updated: int = 0  # an open warning at the same level got new evidence
    failures: list[RuleFailure] = field(default_factory=list)


def _critical_items(s: Session, scale_id: str, version: str) -> tuple[int, ...]:
    """A school-wide run never stops at a scale this computer does not know: its results still
    count by their stored band, only the blank-critical-item check is left out."""
    try:
        defn = scalestore.scale(s, scale_id, version)
    except UnknownScale:
        log.warning("results of unknown scale %s: critical blanks not checked", scale_id)
        return ()
    return tuple(c["item"] for c in defn.raw.get("critical_items", []))


def _blank_items(s: Session, result_ids: list[str]) -> dict[str, set[int]]:
    """The unanswered items (by number) of results whose blanks were not stored."""
    out: dict[str, set[int]] = {}
    for i in range(0, len(result_ids), 500):
        chunk = result_ids[i : i + 500]
        for rid, answers in s.execute(
            select(AssessmentResult.id, AssessmentResult.answers).where(
                AssessmentResult.id.in_(chunk)
            )
        ):
            out[rid] = {n for n, a in enumerate(answers or (), start=1) if a is None}
    return out


def _sheets_not_in_the_archive(s: Session, out: dict, only) -> None:
    """Sheets typed or scanned but not yet stored count now, each reading at its band: a
    double-entered sheet at each pass (which pass was right is for the reconciliation, not the
    warning), a scanned one at its likeliest reading (each held item at the mark read most
    strongly). A band the rules call positive raises its warning before a person has checked."""
    from app.scales.scoring import score

    typed = only(
        select(
            DoubleEntrySheet.id,
            DoubleEntrySheet.student_id,
            DoubleEntrySheet.scale_id,
            DoubleEntrySheet.first_at,
            DoubleEntrySheet.first_answers,
            DoubleEntrySheet.second_answers,
        ).where(DoubleEntrySheet.status == "open"),
        DoubleEntrySheet.student_id,
    )
    scanned = only(
        select(
            ScanSheet.id,
            ScanSheet.student_id,
            ScanSheet.scale_id,
            ScanSheet.created_at,
            ScanSheet.answers,
            ScanSheet.items,
        ).where(ScanSheet.status.in_(("review", "ready"))),
        ScanSheet.student_id,
    )
    readings = [(*r[:4], [r[4], r[5]]) for r in s.execute(typed)]
    for sheet_id, sid, scale, at, answers, held in s.execute(scanned):
        likely = list(answers)
        for h in held or ():
            if h.get("value") is not None:
                likely[h["item"] - 1] = h["value"]
        readings.append((sheet_id, sid, scale, at, [likely]))
    for sheet_id, sid, scale, at, passes in readings:
        if sid not in out:
            continue
        try:
            defn = scalestore.scale(s, scale)
        except UnknownScale:
            continue
        bands = {r.band["id"] for a in passes if a is not None and (r := score(defn, a)).band}
        for band in sorted(bands):
            out[sid].results.append(ResultEvidence(sheet_id, defn.id, band, True, (), at))


def gather_evidence(
    s: Session, student_ids: list[str] | None = None, today: dt.date | None = None
) -> dict[str, StudentEvidence]:
    """Everything the rules look at, for many students, in a handful of queries.

    Results: the current semester's, minus those superseded by a valid later result of the same
    scale (`counting_results`). Critical answers: every alert of a counting result, and every
    alert whose sheet is not finished yet (a kiosk still running).
    """
    today = today or dt.date.today()
    start, _end = semester_bounds(today)
    since = dt.datetime.combine(start, dt.time())
    students = select(Student.id, Student.diagnosis_note).where(Student.status == "enrolled")
    if student_ids is not None:
        students = students.where(Student.id.in_(student_ids))
    out = {sid: StudentEvidence(sid, diagnosis=bool(note)) for sid, note in s.execute(students)}

    def only(q, column):
        return q.where(column.in_(list(out))) if student_ids is not None else q

    rows = s.execute(
        only(
            select(
                AssessmentResult.id,
                AssessmentResult.student_id,
                AssessmentResult.scale_id,
                AssessmentResult.scale_version,
                AssessmentResult.band_id,
                AssessmentResult.valid,
                AssessmentResult.flags,
                AssessmentResult.missing_items,
                AssessmentResult.administered_at,
            ).where(AssessmentResult.status == "final", AssessmentResult.administered_at >= since),
            AssessmentResult.student_id,
        )
    ).all()
    # The blank items are stored with each result; a result written before they were (NULL)
    # has its answers opened instead, so no blank critical item is ever missed.
    unrecorded = [r[0] for r in rows if r[7] is None and r[1] in out]
    blanks = _blank_items(s, unrecorded)
    by_scale: dict[tuple[str, str], list[ResultEvidence]] = defaultdict(list)
    critical_items: dict[tuple[str, str], tuple[int, ...]] = {}
    for rid, sid, scale, version, band, valid, flags, missing, at in rows:
        if sid not in out:
            continue
        if (scale, version) not in critical_items:
            critical_items[(scale, version)] = _critical_items(s, scale, version)
        empty = set(missing) if missing is not None else blanks.get(rid, set())
        blank = tuple(i for i in critical_items[(scale, version)] if i in empty)
        by_scale[(sid, scale)].append(
            ResultEvidence(rid, scale, band, valid, (), at, tuple(flags or ()), blank)
        )
    counting: set[str] = set()
    for (sid, _scale), results in by_scale.items():
        kept = counting_results(results)
        out[sid].results.extend(kept)
        counting.update(r.id for r in kept)
    _sheets_not_in_the_archive(s, out, only)
    alerts = s.execute(
        only(
            select(
                CriticalAlert.id,
                CriticalAlert.student_id,
                CriticalAlert.scale_id,
                CriticalAlert.item,
                CriticalAlert.official,
                CriticalAlert.result_id,
            ).where(CriticalAlert.created_at >= since),
            CriticalAlert.student_id,
        )
    )
    for aid, sid, scale, item, official, result_id in alerts:
        if sid in out and (result_id is None or result_id in counting):
            out[sid].alerts.append(PendingAlert(aid, scale, item, official))
    live = (Record.voided_at.is_(None), Record.student_id.is_not(None))
    for rid, sid, body, schema, when in s.execute(
        only(
            select(
                Record.id, Record.student_id, Record.body, Record.body_schema, Record.occurred_at
            ).where(Record.kind == "life_event", *live),
            Record.student_id,
        )
    ):
        if sid in out:
            body = current_body("life_event", schema, body)
            out[sid].events.append((rid, body.get("event_type", "other"), when))
    for rid, sid, when, body, schema in s.execute(
        only(
            select(
                Record.id, Record.student_id, Record.occurred_at, Record.body, Record.body_schema
            )
            .where(Record.kind == "observation", *live)
            .order_by(Record.occurred_at),
            Record.student_id,
        )
    ):
        if sid in out:
            urgency = observation_urgency(current_body("observation", schema, body))
            out[sid].observations.append((rid, when, urgency))
    # Only the latest session's risk screen and the latest referral count: a long history is
    # not read (a student with 60 sessions costs the same as one with one).
    for kind in ("session", "referral"):
        latest = only(
            select(Record.student_id, func.max(Record.occurred_at).label("at"))
            .where(Record.kind == kind, *live)
            .group_by(Record.student_id),
            Record.student_id,
        ).subquery()
        rows = s.execute(
            select(
                Record.id, Record.student_id, Record.body, Record.body_schema, Record.occurred_at
            )
            .join(
                latest,
                (Record.student_id == latest.c.student_id) & (Record.occurred_at == latest.c.at),
            )
            .where(Record.kind == kind, *live)
            .order_by(Record.created_at)
        )
        for rid, sid, body, schema, when in rows:
            ev = out.get(sid)
            if ev is None:
                continue
            body = current_body(kind, schema, body)
            if kind == "session":
                risks = {f: body[f] for f in RISK_FIELDS if body.get(f)}
                ev.session = SessionRisk(rid, when, risks)
            else:
                ev.referral = (rid, body.get("status", "suggested"))
    return out


def open_warnings(s: Session, student_ids=None) -> dict[str, Warning]:
    """The most severe open warning per student."""
    q = select(Warning).where(Warning.status.in_(("raised", "confirmed")))
    if student_ids is not None:
        q = q.where(Warning.student_id.in_(list(student_ids)))
    out: dict[str, Warning] = {}
    for w in s.scalars(q):
        cur = out.get(w.student_id)
        if cur is None or LEVEL_ORDER[w.level] < LEVEL_ORDER[cur.level]:
            out[w.student_id] = w
    return out


def _key(e: dict) -> tuple:
    return (e.get("type"), e.get("id"), e.get("item"), e.get("field"))


def _flags(evidence: list[dict]) -> list[str]:
    return sorted({f for e in evidence for f in e.get("flags", ())})


def raise_warning(
    s: Session,
    student_id: str,
    level: str,
    rule_id: str,
    version: int | None,
    evidence: list[dict],
    existing: Warning | None,
    task: dict | None = None,
    today: dt.date | None = None,
) -> tuple[str, Warning]:
    """'raised', 'escalated', 'updated' or 'unchanged', and the warning that holds the evidence.

    An open warning at this level or higher is never lowered or duplicated. New evidence at the
    same level is added to it, and an urgent one shows in the alert bar again until someone
    acknowledges it; a milder finding leaves it as it is.
    """
    if existing is not None and LEVEL_ORDER[existing.level] < LEVEL_ORDER[level]:
        return "unchanged", existing  # a milder finding neither lowers nor re-alerts
    if existing is not None and existing.level == level:
        known = {_key(e) for e in existing.evidence or ()}
        fresh = [e for e in evidence if _key(e) not in known]
        if not fresh:
            return "unchanged", existing
        existing.evidence = [*(existing.evidence or ()), *fresh]
        existing.flags = _flags(existing.evidence) or None
        if existing.level in URGENT:
            existing.acknowledged_at = existing.acknowledged_by = existing.acknowledge_note = None
        return "updated", existing
    w = Warning(
        student_id=student_id,
        level=level,
        rule_id=rule_id,
        rule_set_version=version,
        evidence=evidence,
        flags=_flags(evidence) or None,
        raised_at=utcnow(),
    )
    s.add(w)
    if existing is not None:
        existing.status = "resolved"
        existing.resolved_at = utcnow()
        existing.resolution_note = _("Escalated to a higher level.")
    s.flush()
    if task:
        due = (today or dt.date.today()) + dt.timedelta(days=task.get("due_days", 0))
        s.add(WarningTask(warning_id=w.id, title=text_of(task["title"])[:200], due_on=due))
    audit.record(
        s,
        audit.CREATE,
        object_type="warning",
        object_id=w.id,
        detail={"level": level, "rule": rule_id},
    )
    return ("escalated" if existing is not None else "raised"), w


def evaluate_students(
    s: Session, student_ids: list[str] | None, today: dt.date | None = None
) -> EvaluationReport:
    """Run the rules in force for these students (all enrolled ones for None).

    A failing rule or student is reported in `failures` and skipped; the others go on.
    """
    today = today or dt.date.today()
    report = EvaluationReport()
    version, rules = active_rule_set(s)
    evidence = gather_evidence(s, student_ids, today)
    existing = open_warnings(s, None if student_ids is None else list(evidence))
    for sid, ev in evidence.items():
        report.evaluated += 1
        try:
            match = evaluate(rules, ev, today, report.failures)
            if match is None:
                continue
            outcome, _w = raise_warning(
                s,
                sid,
                match.level,
                match.rule_id,
                version,
                list(match.evidence),
                existing.get(sid),
                match.task,
                today,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # One student's odd data must not stop the school's run (database errors still do).
            report.failures.append(RuleFailure("*", sid, repr(exc)))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    if report.failures:
        log.warning("warning rules failed %d times", len(report.failures))
        audit.record(
            s,
            "warning_rule_failures",
            object_type="warning_rules",
            detail={
                "version": version,
                "rules": sorted({f.rule_id for f in report.failures}),
                "count": len(report.failures),
            },
        )
    return report


# --- the hook ------------------------------------------------------------------------------


def _touched_students(s: Session) -> set[str]:
    out: set[str] = set()
    for fresh, objs in ((True, s.new), (False, s.dirty)):  # each is built once per access
        for obj in objs:
            if isinstance(obj, AssessmentResult | CriticalAlert | DoubleEntrySheet | ScanSheet) or (
                isinstance(obj, Record) and obj.kind in _EVIDENCE_KINDS and obj.student_id
            ):
                out.add(obj.student_id)
            elif isinstance(obj, Student) and (
                obj.diagnosis_note
                if fresh
                else inspect(obj).attrs.diagnosis_note.history.has_changes()
            ):
                out.add(obj.id)
    return out


def _before_flush(s: Session, _ctx, _instances) -> None:
    if s.info.get(SKIP):
        return
    touched = _touched_students(s)
    if touched:
        s.info.setdefault(_PENDING, set()).update(touched)


def _before_commit(s: Session) -> None:
    if s.info.get(SKIP):
        s.info.pop(_PENDING, None)
        return
    s.flush()  # the last changes' evidence is collected by the flush hook
    pending = s.info.pop(_PENDING, None)
    if pending and s.info.get("audit_key") is not None:
        evaluate_students(s, sorted(pending))
        s.flush()
        s.info.pop(_PENDING, None)


def _after_rollback(s: Session) -> None:
    s.info.pop(_PENDING, None)


def install_risk_hook() -> None:
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _installed = True
