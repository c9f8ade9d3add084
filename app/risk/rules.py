"""Evaluate a warning rule set against one student's evidence. Pure: no database, no Qt.

A rule matches with the evidence that made it match; the student's level is the highest
matching rule's level. Every warning can therefore say which rule version and which evidence
raised it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

LEVEL_ORDER = {"red": 0, "orange": 1, "yellow": 2, "watch": 3}


@dataclass(frozen=True)
class ResultEvidence:
    id: str
    scale: str
    band: str | None
    valid: bool
    critical: tuple[tuple[int, bool], ...]  # (item, official)
    at: dt.datetime


@dataclass
class StudentEvidence:
    student_id: str
    results: list[ResultEvidence] = field(default_factory=list)  # latest per scale
    events: list[tuple[str, str, dt.datetime]] = field(
        default_factory=list
    )  # (record id, type, when)
    observations: list[tuple[str, dt.datetime]] = field(default_factory=list)
    referral: tuple[str, str] | None = None  # (record id, status)
    diagnosis: bool = False


@dataclass(frozen=True)
class Match:
    rule_id: str
    level: str
    label: dict
    evidence: tuple[dict, ...]


def load_rule_set(path: Path) -> dict:
    return json.loads(Path(path).read_text("utf-8"))


def _positive(ev: StudentEvidence, positive_bands: dict) -> list[dict]:
    return [
        {"type": "result", "id": r.id, "scale": r.scale, "band": r.band}
        for r in ev.results
        if r.valid and r.band in positive_bands.get(r.scale, ())
    ]


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
        return hits or None
    if "result" in cond:
        spec = cond["result"]
        hits = [
            {"type": "result", "id": r.id, "scale": r.scale, "band": r.band}
            for r in ev.results
            if r.valid and r.scale in spec["scales"] and r.band in spec["bands"]
        ]
        return hits or None
    if "positive_screen" in cond:
        return _positive(ev, rules.get("positive_bands", {})) or None
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
        recent = [
            {"type": "observation", "id": rid}
            for rid, when in ev.observations
            if when.date() >= since
        ]
        return recent if len(recent) >= spec["at_least"] else None
    if "referral" in cond:
        if ev.referral and ev.referral[1] in cond["referral"]["statuses"]:
            return [{"type": "referral", "id": ev.referral[0], "status": ev.referral[1]}]
        return None
    if "diagnosis" in cond:
        return [{"type": "diagnosis"}] if ev.diagnosis else None
    if "invalid_result" in cond:
        hits = [
            {"type": "result", "id": r.id, "scale": r.scale, "invalid": True}
            for r in ev.results
            if not r.valid
        ]
        return hits or None
    raise ValueError(f"unknown condition {sorted(cond)}")


def evaluate(rules: dict, ev: StudentEvidence, today: dt.date) -> Match | None:
    """The highest-level matching rule (first in file order within a level)."""
    best: Match | None = None
    for rule in rules["rules"]:
        hits = _cond(rule["when"], ev, rules, today)
        if hits is None:
            continue
        if best is None or LEVEL_ORDER[rule["level"]] < LEVEL_ORDER[best.level]:
            best = Match(rule["id"], rule["level"], rule["label"], tuple(hits))
    return best
