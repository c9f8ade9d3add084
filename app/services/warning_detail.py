"""One warning as the counselor weighs it: the evidence in words, the student's level history,
the follow-up tasks, who in the network was told, and the crisis and referral records beside it.

Read in one session for the warnings page's detail pane, so deciding never needs another page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.i18n import _
from app.models import Record, User, Warning, WarningNotification, WarningTask
from app.records.choices import REFERRAL_STATUS, RISK
from app.records.kinds import open_tasks
from app.scales.definition import text_of
from app.scales.scoring import flag_reason
from app.services.alerts import RISK_FIELD_LABELS, describe_evidence
from app.services.network import METHODS, ROLE_LABELS
from app.services.permissions import require
from app.services.referral_loop import loop_steps
from app.services.vaults import OpenVault
from app.services.warning_rules import rule_labels
from app.services.warnings import rows_where


@dataclass(frozen=True)
class TaskLine:
    id: str
    title: str
    due_on: dt.date
    done_at: dt.datetime | None

    def overdue(self, today: dt.date) -> bool:
        return self.done_at is None and self.due_on < today


@dataclass(frozen=True)
class LevelStep:
    """One of the student's warnings, oldest first: how the level moved over time."""

    warning_id: str
    raised_at: dt.datetime
    level: str
    status: str
    rule: str


@dataclass(frozen=True)
class Linked:
    """A crisis or referral record beside the warning; opened from the pane."""

    record_id: str
    kind: str
    occurred_at: dt.datetime
    text: str


@dataclass(frozen=True)
class WarningDetail:
    id: str
    student_id: str
    student_name: str
    class_label: str
    student_no: str
    level: str
    status: str
    rule: str
    raised_at: dt.datetime
    evidence: tuple[str, ...]
    flags: tuple[str, ...]
    decisions: tuple[str, ...]  # the review, the resolution, the alert acknowledgement
    history: tuple[LevelStep, ...]
    tasks: tuple[TaskLine, ...]
    notifications: tuple[str, ...]
    linked: tuple[Linked, ...]
    loop: tuple[str, ...] = ()  # the referral loop with its dates (app/services/referral_loop)


def _session_screens(s, evidence: list[dict]) -> list[str]:
    """For a session's risk answer, the whole risk screen of that session (all three fields)."""
    out = []
    seen: set[str] = set()
    for e in evidence:
        if e.get("type") != "session_risk" or e.get("id") in seen:
            continue
        seen.add(e["id"])
        r = s.get(Record, e["id"])
        if r is None or not isinstance(r.body, dict):
            continue
        parts = [
            f"{label}：{_(RISK.get(r.body.get(key), '—')) if r.body.get(key) else '—'}"
            for key, label in RISK_FIELD_LABELS.items()
        ]
        out.append(
            _("Risk screen of the session on {day}: {parts}").format(
                day=f"{r.occurred_at:%Y-%m-%d}", parts="；".join(parts)
            )
        )
    return out


def _names(s, ids) -> dict[str, str]:
    ids = [i for i in set(ids) if i]
    if not ids:
        return {}
    return dict(s.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def _decisions(w: Warning, names: dict[str, str]) -> list[str]:
    out = []
    if w.acknowledged_at is not None:
        out.append(
            _("{day} {who} saw the alert: {note}").format(
                day=f"{w.acknowledged_at:%Y-%m-%d %H:%M}",
                who=names.get(w.acknowledged_by or "", ""),
                note=w.acknowledge_note or "",
            )
        )
    if w.reviewed_at is not None:
        verdict = _("confirmed") if w.status != "dismissed" else _("dismissed")
        out.append(
            _("{day} {who} {verdict}: {note}").format(
                day=f"{w.reviewed_at:%Y-%m-%d %H:%M}",
                who=names.get(w.reviewed_by or "", ""),
                verdict=verdict,
                note=w.review_note or "",
            )
        )
    if w.resolved_at is not None:
        out.append(
            _("{day} {who} resolved: {note}").format(
                day=f"{w.resolved_at:%Y-%m-%d %H:%M}",
                who=names.get(w.resolved_by or "", ""),
                note=w.resolution_note or "",
            )
        )
    return out


def _linked(s, w: Warning) -> list[Linked]:
    """Crisis interventions since the warning (or started from it), and the student's case
    conferences and referrals."""
    out = []
    q = select(Record).where(
        Record.student_id == w.student_id,
        Record.kind.in_(
            ("crisis", "referral", "case_conference", "hospital_escort", "return_to_school")
        ),
        Record.voided_at.is_(None),
    )
    for r in s.scalars(q.order_by(Record.occurred_at)):
        body = r.body if isinstance(r.body, dict) else {}
        if r.kind == "crisis":
            if body.get("warning_id") != w.id and r.occurred_at < w.raised_at:
                continue  # an earlier crisis about something else: on the timeline, not here
            steps = len(body.get("steps") or {})
            text = _("Crisis intervention, {n} protocol steps done").format(n=steps)
        elif r.kind == "case_conference":
            left = len(open_tasks(body))
            text = _("Case conference, {n} tasks open").format(n=left)
        elif r.kind == "hospital_escort":
            text = _("Escorted to {hospital}").format(hospital=body.get("hospital", ""))
        elif r.kind == "return_to_school":
            text = _("Return meeting, first follow-up on {day}").format(
                day=body.get("first_follow_up", "")
            )
        else:
            status = _(REFERRAL_STATUS.get(body.get("status"), "?"))
            text = _("Referral to {place}: {status}").format(
                place=body.get("institution", ""), status=status
            )
            if body.get("follow_up_on"):
                text += "，" + _("follow up on {day}").format(day=body["follow_up_on"])
        out.append(Linked(r.id, r.kind, r.occurred_at, text))
    return out


def detail(vault: OpenVault, warning_id: str) -> WarningDetail:
    require(vault.user.role, "view_diagnosis")
    with vault.session() as s:
        w = s.get(Warning, warning_id)
        if w is None:
            from app.errors import ValidationError

            raise ValidationError("warning", _("This warning no longer exists."))
        labels = rule_labels(s)
        [row] = rows_where(s, Warning.id == warning_id)
        evidence = list(w.evidence or ())
        lines = describe_evidence(s, evidence) + _session_screens(s, evidence)
        tasks = s.scalars(
            select(WarningTask)
            .where(WarningTask.warning_id == warning_id)
            .order_by(WarningTask.due_on, WarningTask.created_at)
        ).all()
        told = s.scalars(
            select(WarningNotification)
            .where(WarningNotification.warning_id == warning_id)
            .order_by(WarningNotification.notified_at)
        ).all()
        names = _names(
            s,
            [w.reviewed_by, w.resolved_by, w.acknowledged_by, *(n.notified_by for n in told)],
        )
        history = rows_where(s, Warning.student_id == w.student_id)
        return WarningDetail(
            w.id,
            w.student_id,
            row.student_name,
            row.class_label,
            row.student_no,
            w.level,
            w.status,
            text_of(labels.get(w.rule_id, {"zh": w.rule_id})),
            w.raised_at,
            tuple(lines),
            tuple(flag_reason(f) for f in w.flags or ()),
            tuple(_decisions(w, names)),
            tuple(
                LevelStep(
                    h.id,
                    h.raised_at,
                    h.level,
                    h.status,
                    text_of(labels.get(h.rule_id, {"zh": h.rule_id})),
                )
                for h in sorted(history, key=lambda h: h.raised_at)
            ),
            tuple(TaskLine(t.id, t.title, t.due_on, t.done_at) for t in tasks),
            tuple(
                _("{day} {role} {person}（{method}），by {who}").format(
                    day=f"{n.notified_at:%Y-%m-%d %H:%M}",
                    role=_(ROLE_LABELS.get(n.role, n.role)),
                    person=n.person_name,
                    method=_(METHODS.get(n.method, n.method)),
                    who=names.get(n.notified_by or "", ""),
                )
                for n in told
            ),
            tuple(_linked(s, w)),
            tuple(step.line() for step in loop_steps(s, w.student_id)),
        )
