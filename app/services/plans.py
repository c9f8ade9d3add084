"""Assessment plans: the semester's battery for some classes, consent, and who has not taken it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from app.db import audit, scalestore
from app.errors import ValidationError
from app.i18n import N_, _
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


class OutOfRange(ValidationError):
    """A scale planned for classes outside its stated ages or grades: a reason is required."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        self.problems = problems
        lines = "\n".join(f"{scale} · {klass}：{why}" for scale, klass, why in problems)
        super().__init__(
            "scope",
            _(
                "These scales are outside their stated range for some classes:\n{lines}\n"
                "Choose another scale, or give the reason for using it (it is audited)."
            ).format(lines=lines),
        )


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
    out_of_range_reason: str | None = None,
) -> PlanInfo:
    """A plan; a scale outside its stated ages or grades for a chosen class is refused unless
    the counselor gives the reason, which is kept in the audit log with what was out of range."""
    require(vault.user.role, "edit_student")
    if not name.strip():
        raise ValidationError("name", _("Please give the plan a name."))
    if ends_on < starts_on:
        raise ValidationError("dates", _("The plan ends before it starts."))
    if not scale_ids or not class_ids:
        raise ValidationError("scope", _("Choose at least one scale and one class."))
    reason = (out_of_range_reason or "").strip() or None
    with vault.session() as s:
        ids = [scalestore.scale(s, x).id for x in scale_ids]
        problems = range_problems(s, ids, list(class_ids), starts_on)
        if problems and reason is None:
            raise OutOfRange(problems)
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
        audit.record(
            s,
            audit.CREATE,
            object_type="assessment_plan",
            object_id=p.id,
            detail={"out_of_range": [list(x) for x in problems], "reason": reason}
            if problems
            else None,
        )
        return _info(p)


def range_problems(
    s, scale_ids: list[str], class_ids: list[str], day: dt.date
) -> list[tuple[str, str, str]]:
    """(scale, class, why) for each class with a student outside a scale's stated ages or
    grades on `day` (birth date where known, else the grade's usual age)."""
    from app.models import Grade, SchoolClass
    from app.scales.interpretation import age_on, outside_population

    rows = s.execute(
        select(SchoolClass.id, Grade.name, SchoolClass.name, Grade.level, Student.birth_date)
        .join(Grade, SchoolClass.grade_id == Grade.id)
        .join(
            Student,
            (Student.class_id == SchoolClass.id) & (Student.status == "enrolled"),
            isouter=True,
        )
        .where(SchoolClass.id.in_(class_ids))
        .order_by(Grade.level, SchoolClass.number)
    ).all()
    classes: dict[str, tuple[str, int, list]] = {}
    for cid, gname, cname, level, birth in rows:
        classes.setdefault(cid, (f"{gname}{cname}", level, []))[2].append(age_on(birth, day))
    out = []
    for sid in scale_ids:
        defn = scalestore.scale(s, sid)
        for label, level, ages in classes.values():
            known = [a for a in ages if a is not None]
            probes = [min(known), max(known)] if known else [None]
            why = next(
                (w for a in probes if (w := outside_population(defn, a, level)) is not None),
                None,
            )
            if why:
                out.append((defn.id, label, why))
    return out


def list_plans(vault: OpenVault) -> list[PlanInfo]:
    with vault.session() as s:
        return [
            _info(p)
            for p in s.scalars(select(AssessmentPlan).order_by(AssessmentPlan.starts_on.desc()))
        ]


def completion(vault: OpenVault, plan_id: str) -> Completion:
    """Done means a valid sheet for every scale of the battery: an invalid one needs a re-test
    and counts as missing (see `participation` for why each student is not done)."""
    with vault.session() as s:
        p = s.get(AssessmentPlan, plan_id)
        students = list(
            s.scalars(
                select(Student.id).where(
                    Student.class_id.in_(p.class_ids), Student.status == "enrolled"
                )
            )
        )
        counts: dict[tuple[str, str], int] = {}
        valid: set[tuple[str, str]] = set()
        for sid, scale, ok, n in s.execute(
            select(
                AssessmentResult.student_id,
                AssessmentResult.scale_id,
                AssessmentResult.valid,
                func.count(),
            )
            .where(AssessmentResult.plan_id == plan_id, AssessmentResult.status == "final")
            .group_by(
                AssessmentResult.student_id, AssessmentResult.scale_id, AssessmentResult.valid
            )
        ):
            counts[(sid, scale)] = counts.get((sid, scale), 0) + n
            if ok:
                valid.add((sid, scale))
    missing, duplicates, complete = {}, {}, []
    for sid in students:
        lacking = tuple(x for x in p.scale_ids if (sid, x) not in valid)
        twice = tuple(x for x in p.scale_ids if counts.get((sid, x), 0) > 1)
        if lacking:
            missing[sid] = lacking
        else:
            complete.append(sid)
        if twice:
            duplicates[sid] = twice
    return Completion(len(students), tuple(complete), missing, duplicates)


PARTICIPATION_STATES = ("not_yet", "retest", "absent", "refused", "opted_out", "done")
STATE_LABELS = {
    "not_yet": N_("Not yet taken"),
    "retest": N_("To take again (invalid sheet)"),
    "absent": N_("Absent"),
    "refused": N_("Refused"),
    "opted_out": N_("Opted out by the parent"),
    "done": N_("Done"),
}


@dataclass(frozen=True)
class Participation:
    student_id: str
    class_label: str
    student_no: str
    name: str
    state: str  # one of PARTICIPATION_STATES
    scales: tuple[str, ...]  # not yet taken, or to take again
    recorded_by: str  # who marked absent / refused / opted out
    note: str


def participation(vault: OpenVault, plan_id: str) -> list[Participation]:
    """Every student of the plan in class and 学号 order, with one state: done, to re-test (an
    invalid sheet), absent, refused, opted out by the parent (who recorded it), or not yet."""
    from app.models import Grade, PlanParticipant, SchoolClass, User

    require(vault.user.role, "view_students")
    done = completion(vault, plan_id)
    with vault.session() as s:
        p = s.get(AssessmentPlan, plan_id)
        if p is None:
            raise ValidationError("plan", _("This plan no longer exists."))
        people = s.execute(
            select(Student.id, Grade.name, SchoolClass.name, Student.student_no, Student.name)
            .join(SchoolClass, Student.class_id == SchoolClass.id)
            .join(Grade, SchoolClass.grade_id == Grade.id)
            .where(Student.class_id.in_(p.class_ids), Student.status == "enrolled")
            .order_by(Grade.level, SchoolClass.number, Student.student_no)
        ).all()
        marks = {
            m.student_id: m
            for m in s.scalars(select(PlanParticipant).where(PlanParticipant.plan_id == plan_id))
        }
        users = dict(s.execute(select(User.id, User.display_name)).all())
        taken = {
            (sid, scale)
            for sid, scale in s.execute(
                select(AssessmentResult.student_id, AssessmentResult.scale_id).where(
                    AssessmentResult.plan_id == plan_id, AssessmentResult.status == "final"
                )
            )
        }
    out = []
    for sid, gname, cname, no, name in people:
        lacking = done.missing.get(sid, ())
        mark = marks.get(sid)
        if not lacking:
            state = "done"
        elif mark is not None and mark.state:
            state = mark.state
        elif all((sid, x) in taken for x in lacking):
            state = "retest"
        else:
            state = "not_yet"
        out.append(
            Participation(
                sid,
                f"{gname}{cname}",
                no,
                name,
                state,
                lacking,
                users.get(mark.recorded_by, "") if mark is not None and mark.state else "",
                (mark.note or "") if mark is not None and mark.state else "",
            )
        )
    return out
