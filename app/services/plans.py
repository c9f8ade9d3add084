"""Assessment plans: the semester's battery for some classes, consent, and who has not taken it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from app.db import audit, scalestore
from app.errors import ValidationError
from app.i18n import _
from app.models import AssessmentPlan, AssessmentResult, Student, utcnow
from app.services.permissions import require
from app.services.vaults import OpenVault


@dataclass(frozen=True)
class PlanInfo:
    id: str
    name: str
    scale_ids: tuple[str, ...]
    class_ids: tuple[str, ...]
    starts_on: dt.date
    ends_on: dt.date
    consent_method: str | None
    consent_recorded_at: dt.datetime | None


@dataclass(frozen=True)
class Completion:
    expected: int
    complete: tuple[str, ...]  # student ids with every scale of the battery
    missing: dict[str, tuple[str, ...]]  # student id → scales not yet taken
    duplicates: dict[str, tuple[str, ...]]  # student id → scales taken more than once


def _info(p: AssessmentPlan) -> PlanInfo:
    return PlanInfo(
        p.id,
        p.name,
        tuple(p.scale_ids),
        tuple(p.class_ids),
        p.starts_on,
        p.ends_on,
        p.consent_method,
        p.consent_recorded_at,
    )


def create_plan(
    vault: OpenVault,
    *,
    name: str,
    scale_ids: list[str],
    class_ids: list[str],
    starts_on: dt.date,
    ends_on: dt.date,
    consent_method: str | None = None,
    consent_note: str | None = None,
) -> PlanInfo:
    require(vault.user.role, "edit_student")
    if not name.strip():
        raise ValidationError("name", _("Please give the plan a name."))
    if ends_on < starts_on:
        raise ValidationError("dates", _("The plan ends before it starts."))
    if not scale_ids or not class_ids:
        raise ValidationError("scope", _("Choose at least one scale and one class."))
    with vault.session() as s:
        ids = [scalestore.scale(s, x).id for x in scale_ids]
        p = AssessmentPlan(
            name=name.strip(),
            scale_ids=ids,
            class_ids=list(class_ids),
            starts_on=starts_on,
            ends_on=ends_on,
            consent_method=consent_method,
            consent_note=consent_note,
            consent_recorded_at=utcnow() if consent_method else None,
            consent_recorded_by=vault.user.id if consent_method else None,
        )
        s.add(p)
        s.flush()
        audit.record(s, audit.CREATE, object_type="assessment_plan", object_id=p.id)
        return _info(p)


def list_plans(vault: OpenVault) -> list[PlanInfo]:
    with vault.session() as s:
        return [
            _info(p)
            for p in s.scalars(select(AssessmentPlan).order_by(AssessmentPlan.starts_on.desc()))
        ]


def completion(vault: OpenVault, plan_id: str) -> Completion:
    with vault.session() as s:
        p = s.get(AssessmentPlan, plan_id)
        students = list(
            s.scalars(
                select(Student.id).where(
                    Student.class_id.in_(p.class_ids), Student.status == "enrolled"
                )
            )
        )
        counts: dict[tuple[str, str], int] = {
            (sid, scale): n
            for sid, scale, n in s.execute(
                select(AssessmentResult.student_id, AssessmentResult.scale_id, func.count())
                .where(AssessmentResult.plan_id == plan_id, AssessmentResult.status == "final")
                .group_by(AssessmentResult.student_id, AssessmentResult.scale_id)
            )
        }
    missing, duplicates, complete = {}, {}, []
    for sid in students:
        lacking = tuple(x for x in p.scale_ids if counts.get((sid, x), 0) == 0)
        twice = tuple(x for x in p.scale_ids if counts.get((sid, x), 0) > 1)
        if lacking:
            missing[sid] = lacking
        else:
            complete.append(sid)
        if twice:
            duplicates[sid] = twice
    return Completion(len(students), tuple(complete), missing, duplicates)
