"""The referral loop with its dates: referral suggested → escorted to hospital → handed over to
the parent → return meeting → each follow-up, done or due. What a counselor (and an inspector)
asks is not only "status: returned" but when each step happened."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Record
from app.records.choices import REFERRAL_STATUS, RETURN_DOCUMENTS
from app.services.follow_ups import plan_appointments
from app.services.permissions import require
from app.services.vaults import OpenVault

LOOP_KINDS = ("referral", "hospital_escort", "return_to_school")


@dataclass(frozen=True)
class LoopStep:
    when: dt.datetime
    what: str
    record_id: str
    done: bool = True

    def line(self, now: dt.datetime | None = None) -> str:
        late = not self.done and self.when < (now or dt.datetime.now())
        mark = "" if self.done else "（" + (_("overdue") if late else _("not yet")) + "）"
        return f"{self.when:%Y-%m-%d %H:%M}  {self.what}{mark}"


def _at(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(str(value)) if value else None


def loop_steps(s: Session, student_id: str, now: dt.datetime | None = None) -> list[LoopStep]:
    now = now or dt.datetime.now()
    rows = s.scalars(
        select(Record).where(
            Record.student_id == student_id,
            Record.kind.in_(LOOP_KINDS),
            Record.voided_at.is_(None),
        )
    ).all()
    plans = plan_appointments(s, student_id)
    out: list[LoopStep] = []
    for r in rows:
        b = r.body if isinstance(r.body, dict) else {}
        if r.kind == "referral":
            status = _(REFERRAL_STATUS.get(b.get("status"), "?"))
            text = _("Referral to {place}: {status}").format(
                place=b.get("institution", ""), status=status
            )
            out.append(LoopStep(r.occurred_at, text, r.id))
        elif r.kind == "hospital_escort":
            called = _at(b.get("parent_called_at"))
            if called:
                who = _("{who} called the parent").format(who=b.get("parent_called_by", ""))
                out.append(LoopStep(called, who, r.id))
            text = _("Escorted to {hospital} by {who}").format(
                hospital=b.get("hospital", ""), who=b.get("escorted_by", "")
            )
            out.append(LoopStep(r.occurred_at, text, r.id))
            handed = _at(b.get("handed_over_at"))
            if handed or b.get("handed_over_to"):
                text = _("Handed over to {who}").format(who=b.get("handed_over_to", ""))
                out.append(LoopStep(handed or r.occurred_at, text, r.id))
        else:
            papers = "、".join(_(RETURN_DOCUMENTS[d]) for d in b.get("documents") or ())
            text = _("Return meeting ({who}); documents: {papers}").format(
                who=b.get("meeting_participants", ""), papers=papers or _("none")
            )
            out.append(LoopStep(r.occurred_at, text, r.id))
            for a in plans.get(r.id, ()):
                done = bool(a.body.get("done"))
                out.append(LoopStep(a.occurred_at, a.body.get("purpose", ""), a.id, done))
    return sorted(out, key=lambda step: step.when)


def referral_loop(vault: OpenVault, student_id: str) -> list[LoopStep]:
    """The student's loop in date order (empty when there is none)."""
    require(vault.user.role, "view_diagnosis")
    with vault.session() as s:
        return loop_steps(s, student_id)
