"""The archive at a glance: what a counselor needs before opening any tab — the current warning
level and why, the open case and what comes next, the latest results with their trend, and the
last home–school contacts. Counselors only (it is all clinical)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from app.i18n import _
from app.models import Record, Warning
from app.records.choices import CONTACT_MODES
from app.risk.levels import LEVEL_ORDER
from app.services import assessments, records
from app.services.alerts import describe_evidence
from app.services.permissions import require
from app.services.vaults import OpenVault

OPEN = ("raised", "confirmed")
FAR = dt.timedelta(days=366)


@dataclass(frozen=True)
class ResultLine:
    scale_id: str
    day: dt.date
    total: float | None
    band: str | None
    previous: float | None  # the same scale's total the time before

    @property
    def trend(self) -> str:
        if self.total is None or self.previous is None:
            return ""
        return "↑" if self.total > self.previous else "↓" if self.total < self.previous else "→"


@dataclass(frozen=True)
class Glance:
    level: str | None
    status: str | None
    why: tuple[str, ...]
    open_case: str | None
    next_up: str | None
    overdue: int
    results: tuple[ResultLine, ...]
    contacts: tuple[str, ...]


def _warning(s, student_id: str) -> tuple[str | None, str | None, list[str]]:
    rows = s.scalars(
        select(Warning).where(Warning.student_id == student_id, Warning.status.in_(OPEN))
    ).all()
    if not rows:
        return None, None, []
    worst = min(rows, key=lambda w: (LEVEL_ORDER.get(w.level, 9), -w.raised_at.timestamp()))
    return worst.level, worst.status, describe_evidence(s, list(worst.evidence or ()))[:3]


def _open_case(s, student_id: str) -> str | None:
    cases = s.scalars(
        select(Record)
        .where(Record.student_id == student_id, Record.kind == "case", Record.voided_at.is_(None))
        .order_by(Record.occurred_at.desc())
    ).all()
    case = next((c for c in cases if (c.body or {}).get("status", "open") == "open"), None)
    if case is None:
        return None
    sessions = s.scalar(
        select(func.count())
        .select_from(Record)
        .where(Record.parent_id == case.id, Record.kind == "session", Record.voided_at.is_(None))
    )
    title = case.title or _("Counseling case")
    return _("{title}, open since {day}, {n} sessions").format(
        title=title, day=f"{case.occurred_at:%Y-%m-%d}", n=sessions or 0
    )


def _contacts(s, student_id: str) -> list[str]:
    rows = s.scalars(
        select(Record)
        .where(
            Record.student_id == student_id,
            Record.kind == "contact",
            Record.voided_at.is_(None),
        )
        .order_by(Record.occurred_at.desc())
        .limit(3)
    ).all()
    out = []
    for r in rows:
        b = r.body or {}
        mode = _(CONTACT_MODES.get(b.get("mode"), "")) if b.get("mode") else ""
        words = str(b.get("content", ""))[:30]
        out.append(f"{r.occurred_at:%m-%d} {mode} {b.get('guardian', '')}：{words}")
    return out


def _results(history: list[assessments.ResultRow]) -> list[ResultLine]:
    """The latest result of each scale (newest first), with the one before for the trend."""
    seen: dict[str, list[assessments.ResultRow]] = {}
    for r in history:  # newest first
        seen.setdefault(r.scale_id, []).append(r)
    out = []
    for scale, rows in seen.items():
        last = rows[0]
        before = rows[1].total if len(rows) > 1 else None
        out.append(
            ResultLine(scale, last.administered_at.date(), last.total, last.band_label, before)
        )
    return out[:4]


def glance(vault: OpenVault, student_id: str, now: dt.datetime | None = None) -> Glance:
    require(vault.user.role, "view_diagnosis")
    now = now or dt.datetime.now()
    with vault.reading() as s:
        level, status, why = _warning(s, student_id)
        case = _open_case(s, student_id)
        contacts = _contacts(s, student_id)
    due = records.upcoming(vault, now + FAR, now=now, student_id=student_id)
    overdue = sum(1 for u in due if u.when < now)
    ahead = next((u for u in due if u.when >= now), None)
    next_up = f"{ahead.when:%m-%d %H:%M} {ahead.what}" if ahead else None
    results = _results(assessments.history(vault, student_id))
    return Glance(
        level, status, tuple(why), case, next_up, overdue, tuple(results), tuple(contacts)
    )
