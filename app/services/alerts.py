"""What must reach a person at once: every critical answer and every new 一级/二级 warning.

The alert bar on every page lists them until someone acknowledges each one with a note. An
alert raised while the vault was locked (a kiosk, the idle lock) is still there at the next
unlock, because it lives in the vault, not in the window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import audit, scalestore
from app.errors import ValidationError
from app.i18n import _
from app.models import (
    AssessmentResult,
    CriticalAlert,
    Grade,
    Record,
    SchoolClass,
    Student,
    Warning,
    utcnow,
)
from app.records.choices import RISK
from app.risk.levels import URGENT, short_name
from app.scales.definition import text_of
from app.scales.library import UnknownScale
from app.scales.scoring import flag_reason
from app.services.permissions import require
from app.services.vaults import OpenVault
from app.services.warning_rules import rule_labels

RISK_FIELD_LABELS = {
    "risk_suicide": "自杀意念",
    "risk_self_harm": "自伤",
    "risk_others": "伤人",
}


@dataclass(frozen=True)
class Alert:
    kind: str  # "warning" or "critical"
    id: str
    student_id: str
    student_name: str
    class_label: str
    level: str | None
    title: str
    details: tuple[str, ...]
    raised_at: dt.datetime

    @property
    def headline(self) -> str:
        level = f"{short_name(self.level)} · " if self.level else ""
        return f"{level}{self.student_name}（{self.class_label}）· {self.title}"


def critical_answer_text(s: Session, scale_id: str, item: int, answer: int | None) -> str:
    """'PHQ-9 第9题「…」：几乎每天（3）' — the item text only where the scale's licence allows."""
    try:
        defn = scalestore.scale(s, scale_id)
    except UnknownScale:  # evidence is never hidden behind a missing definition
        head = f"{scale_id} " + _("item {n}").format(n=item)
        return head + "：" + (_("left blank") if answer is None else str(answer))
    text = text_of(defn.item_texts.get(item)) if defn.has_item_texts else ""
    head = f"{defn.id} " + _("item {n}").format(n=item) + (f"「{text}」" if text else "")
    if answer is None:
        return head + "：" + _("left blank")
    label = next((text_of(o.label) for o in defn.options_for(item) if o.value == answer), "")
    return f"{head}：{label}（{answer}）" if label else f"{head}：{answer}"


def _typed_pass_text(s: Session, e: dict) -> list[str]:
    """Evidence from a double-entered sheet not yet reconciled: its scale and band, said so."""
    from app.models import DoubleEntrySheet, ScanSheet

    sheet = s.get(DoubleEntrySheet, e["id"])
    template = _("{scale} {band} on a typed pass (double entry not yet reconciled)")
    if sheet is None:
        sheet = s.get(ScanSheet, e["id"])
        template = _("{scale} {band} as read from a scan (not yet confirmed)")
    if sheet is None:
        return []
    defn = scalestore.scale(s, sheet.scale_id)
    label = next(
        (text_of(b["label"]) for b in defn.raw.get("bands", {}).get("ranges", [])
         if b["id"] == e.get("band")),
        e.get("band") or "",
    )  # fmt: skip
    return [template.format(scale=sheet.scale_id, band=label)]


def describe_evidence(s: Session, evidence: list[dict]) -> list[str]:
    """Each piece of evidence in a sentence a counselor can act on."""
    out = []
    for e in evidence:
        kind = e.get("type")
        if kind == "critical":
            alert = s.get(CriticalAlert, e["id"])
            if alert is None:  # evidence from a stored result (older vaults)
                r = s.get(AssessmentResult, e["id"])
                answer = r.answers[e["item"] - 1] if r is not None else None
                out.append(critical_answer_text(s, e["scale"], e["item"], answer))
            else:
                out.append(critical_answer_text(s, alert.scale_id, alert.item, alert.answer))
        elif kind == "critical_missing":
            out.append(critical_answer_text(s, e["scale"], e["item"], None))
        elif kind == "result":
            r = s.get(AssessmentResult, e["id"])
            if r is None:
                out += _typed_pass_text(s, e)
                continue
            text = f"{r.scale_id} " + _("total {total}").format(
                total="—" if r.total is None else f"{r.total:g}"
            )
            if r.band_label:
                text += f"（{r.band_label}）"
            flags = [flag_reason(f) for f in e.get("flags", ())]
            if flags:
                text += " · " + _("needs checking: {reasons}").format(reasons="、".join(flags))
            out.append(text)
        elif kind == "session_risk":
            when = s.get(Record, e["id"])
            day = f"{when.occurred_at:%m-%d} " if when is not None else ""
            out.append(
                day
                + _("Session risk screen: {field} {risk}").format(
                    field=RISK_FIELD_LABELS.get(e["field"], e["field"]),
                    risk=_(RISK.get(e["risk"], e["risk"])),
                )
            )
        elif kind == "manual":
            text = _("Counselor's judgment: {reason}").format(reason=e.get("reason", ""))
            out.append(text + (f"（{e['note']}）" if e.get("note") else ""))
        elif kind == "event":
            from app.records.choices import LIFE_EVENTS

            out.append(_("Life event: {event}").format(event=_(LIFE_EVENTS.get(e["event"], "?"))))
        elif kind == "observation":
            out.append(_("Observation reported"))
        elif kind == "referral":
            from app.records.choices import REFERRAL_STATUS

            out.append(
                _("Referral: {status}").format(status=_(REFERRAL_STATUS.get(e["status"], "?")))
            )
        elif kind == "diagnosis":
            out.append(_("Pre-existing diagnosis noted on the archive"))
    return out


def _prefetch_evidence(s: Session, evidence: list[dict]) -> list:
    """Load what the evidence points at in three reads, so `describe_evidence`'s look-ups are
    answered by the session instead of one query each (thousands after a screening). The caller
    keeps the returned list: the session's identity map holds its objects only weakly."""
    ids = list({e.get("id") for e in evidence if e.get("id")})
    loaded: list = []
    for model in (CriticalAlert, AssessmentResult, Record):
        for start in range(0, len(ids), 900):
            loaded += s.scalars(select(model).where(model.id.in_(ids[start : start + 900]))).all()
    return loaded


def _student_columns():
    return (Student.name, Grade.name, SchoolClass.name)


def _join(q, model):
    return (
        q.join(Student, Student.id == model.student_id)
        .join(SchoolClass, Student.class_id == SchoolClass.id, isouter=True)
        .join(Grade, SchoolClass.grade_id == Grade.id, isouter=True)
    )


def pending(vault: OpenVault, limit: int | None = None) -> list[Alert]:
    """Unacknowledged urgent warnings and critical answers, newest first (the newest `limit`)."""
    return pending_with_total(vault, limit)[0]


def pending_with_total(vault: OpenVault, limit: int | None = None) -> tuple[list[Alert], int]:
    """(the newest `limit` alerts, described; how many are waiting in all).

    After a school-wide screening hundreds can wait: all are counted at once, and only those
    shown are described (each description reads what the evidence points at)."""
    require(vault.user.role, "view_diagnosis")
    with vault.session() as s:
        labels = rule_labels(s)
        q = select(
            Warning.id,
            Warning.student_id,
            Warning.level,
            Warning.rule_id,
            Warning.evidence,
            Warning.raised_at,
            *_student_columns(),
        ).where(
            Warning.status.in_(("raised", "confirmed")),
            Warning.level.in_(tuple(URGENT)),
            Warning.acknowledged_at.is_(None),
        )
        warning_rows = s.execute(_join(q, Warning)).all()
        covered = {
            e["id"]
            for row in warning_rows
            for e in (row.evidence or ())
            if isinstance(e, dict) and e.get("type") == "critical"
        }
        # Ids and dates only: after a screening thousands wait, and only the shown are read.
        q = select(
            CriticalAlert.id, CriticalAlert.result_id, CriticalAlert.created_at, *_student_columns()
        ).where(CriticalAlert.acknowledged_at.is_(None))
        critical_rows = [
            row
            for row in s.execute(_join(q, CriticalAlert))
            if row.id not in covered and row.result_id not in covered
        ]
        waiting = [("warning", row.raised_at, row) for row in warning_rows]
        waiting += [("critical", row.created_at, row) for row in critical_rows]
        waiting.sort(key=lambda x: x[1], reverse=True)
        shown = waiting if limit is None else waiting[:limit]
        _loaded = _prefetch_evidence(
            s,
            [
                e
                for kind, _at, row in shown
                if kind == "warning"
                for e in (row.evidence or ())
                if isinstance(e, dict)
            ],
        )
        out: list[Alert] = []
        for kind, _at, row in shown:
            if kind == "warning":
                out.append(
                    Alert(
                        "warning",
                        row.id,
                        row.student_id,
                        row[6],
                        f"{row[7] or ''}{row[8] or ''}",
                        row.level,
                        text_of(labels.get(row.rule_id, {"zh": row.rule_id})),
                        tuple(describe_evidence(s, list(row.evidence or ()))),
                        row.raised_at,
                    )
                )
            else:
                a = s.get(CriticalAlert, row.id)
                name, g, c = row[3:]
                out.append(
                    Alert(
                        "critical",
                        a.id,
                        a.student_id,
                        name,
                        f"{g or ''}{c or ''}",
                        None,
                        _("Critical answer"),
                        (critical_answer_text(s, a.scale_id, a.item, a.answer),),
                        a.created_at,
                    )
                )
    return out, len(waiting)


def acknowledge(vault: OpenVault, kind: str, alert_id: str, note: str) -> None:
    """A person saw the alert and says what happens next; the note is what they typed."""
    require(vault.user.role, "view_diagnosis")
    if not isinstance(note, str) or not note.strip():
        raise ValidationError("note", _("Write what you will do about this alert."))
    note = note.strip()
    now = utcnow()
    with vault.session() as s:
        if kind == "warning":
            w = s.get(Warning, alert_id)
            w.acknowledged_at, w.acknowledged_by, w.acknowledge_note = now, vault.user.id, note
            ids = [e["id"] for e in w.evidence or () if e.get("type") == "critical"]
            alerts = list(
                s.scalars(
                    select(CriticalAlert).where(
                        CriticalAlert.id.in_(ids) | CriticalAlert.result_id.in_(ids),
                        CriticalAlert.acknowledged_at.is_(None),
                    )
                )
            )
        else:
            alerts = [s.get(CriticalAlert, alert_id)]
        for a in alerts:
            a.acknowledged_at, a.acknowledged_by, a.acknowledge_note = now, vault.user.id, note
        audit.record(
            s,
            audit.UPDATE,
            object_type="warning" if kind == "warning" else "critical_alert",
            object_id=alert_id,
            detail={"acknowledged": True},
        )
