"""Evaluate a warning rule set against one student's evidence. Pure: no database, no Qt.

A rule matches with the evidence that made it match; the student's level is the highest
matching rule's level. Every warning can therefore say which rule version and which evidence
raised it. Validity problems never stop a result from counting: they travel with the evidence
as flags, so a too-fast severe screen still raises the level its answers warrant.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from app.risk.levels import LEVEL_ORDER


@dataclass(frozen=True)
class ResultEvidence:
    id: str
    scale: str
    band: str | None
    valid: bool
    critical: tuple[tuple[int, bool], ...]  # (item, official)
    at: dt.datetime
    flags: tuple[str, ...] = ()
    missing_critical: tuple[int, ...] = ()  # critical items left blank


@dataclass(frozen=True)
class PendingAlert:
    """A critical answer stored before its sheet is finished (kiosk): evidence at once."""

    id: str
    scale: str
    item: int
    official: bool


@dataclass(frozen=True)
class SessionRisk:
    """The risk screen of a counseling session: field → none/low/medium/high."""

    id: str
    at: dt.datetime
    risks: dict[str, str]


@dataclass
class StudentEvidence:
    student_id: str
    results: list[ResultEvidence] = field(default_factory=list)  # the results that count
    alerts: list[PendingAlert] = field(default_factory=list)
    events: list[tuple[str, str, dt.datetime]] = field(
        default_factory=list
    )  # (record id, type, when)
    observations: list[tuple[str, dt.datetime, str]] = field(default_factory=list)  # urgency
    referral: tuple[str, str] | None = None  # (record id, status)
    diagnosis: bool = False
    session: SessionRisk | None = None  # the latest session's risk screen


@dataclass(frozen=True)
class Match:
    rule_id: str
    level: str
    label: dict
    evidence: tuple[dict, ...]
    task: dict | None = None  # {"title": {...}, "due_days": n}: a follow-up the rule asks for


@dataclass(frozen=True)
class RuleFailure:
    """One rule that could not be evaluated for one student; the others still were."""

    rule_id: str
    student_id: str
    error: str


def load_rule_set(path: Path) -> dict:
    return json.loads(Path(path).read_text("utf-8"))


def counting_results(results: list[ResultEvidence]) -> list[ResultEvidence]:
    """Which results of one scale count: every result not superseded by a *valid* later one.

    That is the latest valid result plus any later invalid ones (too fast, straight-lined…). A
    later careless retake therefore never hides an earlier valid severe screen, and the most
    severe of those still counting decides the level.
    """
    ordered = sorted(results, key=lambda r: r.at)
    last_valid = max((i for i, r in enumerate(ordered) if r.valid), default=0)
    return ordered[last_valid:]


def _result_hit(r: ResultEvidence) -> dict:
    hit = {"type": "result", "id": r.id, "scale": r.scale, "band": r.band}
    if r.flags:
        hit["flags"] = list(r.flags)
    return hit


def _positive(ev: StudentEvidence, positive_bands: dict) -> list[dict]:
    return [_result_hit(r) for r in ev.results if r.band in positive_bands.get(r.scale, ())]


def _cond(cond: dict, ev: StudentEvidence, rules: dict, today: dt.date) -> list[dict] | None:
    """The evidence that satisfies `cond`, or None when it does not hold."""
    if "any" in cond:
        hits = [h for c in cond["any"] if (h := _cond(c, ev, rules, today)) is not None]
        return [e for h in hits for e in h] if hits else None
    if "all" in cond:
        out = []
        for c in cond["all"]:
            h = _cond(c, ev, rules, today)
            if h is None:
                return None
            out += h
        return out
    if "critical" in cond:
        want = cond["critical"]["official"]
        hits = [
            {"type": "critical", "id": r.id, "scale": r.scale, "item": item}
            for r in ev.results
            for item, official in r.critical
            if official == want
        ]
        hits += [
            {"type": "critical", "id": a.id, "scale": a.scale, "item": a.item}
            for a in ev.alerts
            if a.official == want
        ]
        return hits or None
    if "critical_missing" in cond:
        hits = [
            {"type": "critical_missing", "id": r.id, "scale": r.scale, "item": item}
            for r in ev.results
            for item in r.missing_critical
        ]
        return hits or None
    if "result" in cond:
        spec = cond["result"]
        hits = [
            _result_hit(r)
            for r in ev.results
            if r.scale in spec["scales"] and r.band in spec["bands"]
        ]
        return hits or None
    if "positive_screen" in cond:
        return _positive(ev, rules.get("positive_bands", {})) or None
    if "session_risk" in cond:
        spec = cond["session_risk"]
        s = ev.session
        if s is None:
            return None
        if "within_days" in spec and s.at.date() < today - dt.timedelta(days=spec["within_days"]):
            return None
        fields = spec.get("fields") or sorted(s.risks)
        hits = [
            {"type": "session_risk", "id": s.id, "field": f, "risk": s.risks[f]}
            for f in fields
            if s.risks.get(f) in spec["levels"]
        ]
        return hits or None
    if "event" in cond:
        spec = cond["event"]
        since = today - dt.timedelta(days=spec.get("within_days", 36500))
        hits = [
            {"type": "event", "id": rid, "event": kind}
            for rid, kind, when in ev.events
            if kind in spec["types"] and when.date() >= since
        ]
        return hits or None
    if "observations" in cond:
        spec = cond["observations"]
        since = today - dt.timedelta(days=spec["within_days"])
        urgency = spec.get("urgency")
        recent = [
            {"type": "observation", "id": rid}
            for rid, when, level in ev.observations
            if when.date() >= since and (urgency is None or level in urgency)
        ]
        return recent if len(recent) >= spec["at_least"] else None
    if "referral" in cond:
        if ev.referral and ev.referral[1] in cond["referral"]["statuses"]:
            return [{"type": "referral", "id": ev.referral[0], "status": ev.referral[1]}]
        return None
    if "diagnosis" in cond:
        return [{"type": "diagnosis"}] if ev.diagnosis else None
    if "invalid_result" in cond:
        hits = [_result_hit(r) | {"invalid": True} for r in ev.results if not r.valid]
        return hits or None
    raise ValueError(f"unknown condition {sorted(cond)}")


def evaluate(
    rules: dict,
    ev: StudentEvidence,
    today: dt.date,
    failures: list[RuleFailure] | None = None,
) -> Match | None:
    """The highest-level matching rule (first in file order within a level).

    A rule that fails for this student is recorded in `failures` and skipped: one broken rule
    must never stop the others from raising a warning.
    """
    best: Match | None = None
    for rule in rules["rules"]:
        try:
            hits = _cond(rule["when"], ev, rules, today)
            order = LEVEL_ORDER[rule["level"]]
        except Exception as exc:  # a rule set edited by hand or sent by the city
            if failures is not None:
                failures.append(RuleFailure(str(rule.get("id")), ev.student_id, repr(exc)))
            continue
        if hits is None:
            continue
        if best is None or order < LEVEL_ORDER[best.level]:
            best = Match(rule["id"], rule["level"], rule["label"], tuple(hits), rule.get("task"))
    return best
