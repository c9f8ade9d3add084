"""Follow-up appointments a return-to-school plan generates: the first on the day agreed, then
every so many days, each an appointment on the calendar and the home page's list until done.

Written in the plan's own transaction, so a plan is never stored without its appointments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import audit
from app.errors import ValidationError
from app.i18n import _
from app.models import Record
from app.records.choices import MAX_FOLLOW_UPS

APPOINTMENT_TIME = dt.time(9, 0)


def follow_up_days(body: dict) -> list[dt.date]:
    """The days a return plan's follow-ups fall on."""
    first = body.get("first_follow_up")
    count = int(body.get("follow_up_count") or 0)
    every = int(body.get("follow_up_every_days") or 0)
    if not first or count <= 0:
        return []
    if count > MAX_FOLLOW_UPS:
        raise ValidationError(
            "follow_up_count",
            _("At most {n} follow-ups are scheduled at once.").format(n=MAX_FOLLOW_UPS),
        )
    if count > 1 and every <= 0:
        raise ValidationError("follow_up_every_days", _("Say how many days apart they are."))
    start = dt.date.fromisoformat(first)
    return [start + dt.timedelta(days=every * i) for i in range(count)]


def schedule_return(s: Session, plan: Record, author_id: str | None) -> list[str]:
    """Appointments for a return plan just written; returns their ids."""
    days = follow_up_days(plan.body)
    made = []
    for i, day in enumerate(days, start=1):
        r = Record(
            kind="appointment",
            student_id=plan.student_id,
            occurred_at=dt.datetime.combine(day, APPOINTMENT_TIME),
            author_id=author_id,
            title="",
            body={
                "purpose": _("Follow-up after return to school ({i} of {n})").format(
                    i=i, n=len(days)
                ),
                "done": False,
                "plan_id": plan.id,
            },
        )
        s.add(r)
        s.flush()
        audit.record(
            s, audit.CREATE, object_type="record", object_id=r.id, detail={"kind": "appointment"}
        )
        made.append(r.id)
    return made


def plan_appointments(s: Session, student_id: str) -> dict[str, list[Record]]:
    """The student's appointments made by return plans, per plan id, in date order."""
    out: dict[str, list[Record]] = {}
    q = select(Record).where(
        Record.student_id == student_id,
        Record.kind == "appointment",
        Record.voided_at.is_(None),
    )
    for r in s.scalars(q.order_by(Record.occurred_at)):
        plan = r.body.get("plan_id") if isinstance(r.body, dict) else None
        if plan:
            out.setdefault(plan, []).append(r)
    return out


AFTER_CREATE = {"return_to_school": schedule_return}
