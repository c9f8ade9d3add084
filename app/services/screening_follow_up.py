"""After the unified screening: who screened positive and has not been seen, who was not
screened (absent, refused or opted out, not yet), and whose sheet must be taken again — each a
student to open. The notice asks that every semester's screening is followed up, not filed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.db import audit
from app.errors import ValidationError
from app.i18n import N_, _
from app.models import (
    AssessmentPlan,
    AssessmentResult,
    CriticalAlert,
    Grade,
    PlanParticipant,
    SchoolClass,
    Student,
    Warning,
)
from app.scales.scoring import flag_reason
from app.services.permissions import require
from app.services.vaults import OpenVault

STATES = {
    "absent": N_("Absent"),
    "refused": N_("Refused"),
    "opted_out": N_("Opted out by the parent"),
}


@dataclass(frozen=True)
class FollowRow:
    student_id: str
    name: str
    class_label: str
    student_no: str
    what: str
    days: int | None = None  # since the result, for a positive screen not yet seen


@dataclass(frozen=True)
class FollowUp:
    plan_name: str
    closed: bool
    expected: int
    screened: int
    positives: tuple[FollowRow, ...]
    absent: tuple[FollowRow, ...]
    refused: tuple[FollowRow, ...]  # refused or opted out
    not_yet: tuple[FollowRow, ...]
    rescreen: tuple[FollowRow, ...]


def _expected(s, plan: AssessmentPlan) -> list:
    q = (
        select(Student.id, Student.name, Student.student_no, Grade.name, SchoolClass.name)
        .join(SchoolClass, Student.class_id == SchoolClass.id)
        .join(Grade, SchoolClass.grade_id == Grade.id)
        .where(Student.class_id.in_(plan.class_ids), Student.status == "enrolled")
        .order_by(Grade.level, SchoolClass.number, Student.student_no)
    )
    return s.execute(q).all()


def mark(
    vault: OpenVault, plan_id: str, student_id: str, state: str | None, note: str = ""
) -> None:
    """Absent, refused or opted out (None: clears it); who recorded it is kept and audited."""
    require(vault.user.role, "edit_student")
    if state is not None and state not in STATES:
        raise ValidationError("state", _("Unknown reason for not taking part."))
    with vault.session() as s:
        plan = s.get(AssessmentPlan, plan_id)
        if plan is None or student_id not in {r[0] for r in _expected(s, plan)}:
            raise ValidationError("student", _("This student is not in the plan's classes."))
        row = s.scalars(
            select(PlanParticipant).where(
                PlanParticipant.plan_id == plan_id, PlanParticipant.student_id == student_id
            )
        ).first()
        if row is None:
            row = PlanParticipant(plan_id=plan_id, student_id=student_id)
            s.add(row)
        row.state, row.note, row.recorded_by = state, (note or "").strip() or None, vault.user.id
        s.flush()
        audit.record(
            s,
            audit.UPDATE,
            object_type="plan_participant",
            object_id=row.id,
            detail={"state": state},
        )


def _chunks(ids: list[str], size: int = 900):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def follow_up(vault: OpenVault, plan_id: str, today: dt.date | None = None) -> FollowUp:
    require(vault.user.role, "view_diagnosis")
    today = today or dt.date.today()
    with vault.session() as s:
        plan = s.get(AssessmentPlan, plan_id)
        if plan is None:
            raise ValidationError("plan", _("This plan no longer exists."))
        people = {sid: (name, no, f"{g}{c}") for sid, name, no, g, c in _expected(s, plan)}
        results = s.execute(
            select(
                AssessmentResult.id,
                AssessmentResult.student_id,
                AssessmentResult.scale_id,
                AssessmentResult.administered_at,
                AssessmentResult.valid,
                AssessmentResult.flags,
            ).where(AssessmentResult.plan_id == plan_id, AssessmentResult.status == "final")
        ).all()
        by_result = {r.id: r for r in results}
        alerts = {
            a_id: r_id
            for chunk in _chunks(list(by_result))
            for a_id, r_id in s.execute(
                select(CriticalAlert.id, CriticalAlert.result_id).where(
                    CriticalAlert.result_id.in_(chunk)
                )
            )
        }
        raised = [
            w
            for chunk in _chunks(list(people))
            for w in s.scalars(
                select(Warning).where(Warning.status == "raised", Warning.student_id.in_(chunk))
            )
        ]
        states = {
            p.student_id: p.state
            for p in s.scalars(select(PlanParticipant).where(PlanParticipant.plan_id == plan_id))
        }
        positives = []
        for w in raised:
            linked = [
                by_result.get(e.get("id")) or by_result.get(alerts.get(e.get("id")))
                for e in w.evidence or ()
                if isinstance(e, dict)
            ]
            linked = [r for r in linked if r is not None]
            if not linked:
                continue
            first = min(r.administered_at for r in linked)
            scales = "、".join(sorted({r.scale_id for r in linked}))
            positives.append((w.student_id, scales, (today - first.date()).days))

    def row(sid: str, what: str, days: int | None = None) -> FollowRow:
        name, no, klass = people.get(sid, ("", "", ""))
        return FollowRow(sid, name, klass, no, what, days)

    took = {r.student_id for r in results}
    missing = [sid for sid in people if sid not in took]
    rescreen = {}
    for r in results:
        if not r.valid or r.flags:
            why = "、".join(flag_reason(f) for f in r.flags or ()) or _("invalid")
            rescreen.setdefault(r.student_id, []).append(f"{r.scale_id}（{why}）")
    return FollowUp(
        plan.name,
        today > plan.ends_on,
        len(people),
        len(took & set(people)),
        tuple(
            row(sid, scales, days)
            for sid, scales, days in sorted(positives, key=lambda p: -p[2])
            if sid in people
        ),
        tuple(row(sid, _(STATES["absent"])) for sid in missing if states.get(sid) == "absent"),
        tuple(
            row(sid, _(STATES[states[sid]]))
            for sid in missing
            if states.get(sid) in ("refused", "opted_out")
        ),
        tuple(row(sid, _("Not yet")) for sid in missing if not states.get(sid)),
        tuple(row(sid, "；".join(whys)) for sid, whys in rescreen.items() if sid in people),
    )
