"""The sync policy: which entity and which field goes to the city. An allow-list, never a deny-list.

Whatever the policy file says, three things are refused in code: private notes, free-text fields
(narratives, contents, names typed into a record) and raw answers to items.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import AssessmentResult, Grade, Record, SchoolClass, Student, Warning
from app.records.kinds import KINDS
from app.sync.wire import student_key
from app.versioned import upgraded

SAFE_BODY_TYPES = frozenset({"int", "choice", "bool", "date", "datetime"})
NEVER = frozenset({"answers", "seconds", "name", "evidence", "review_note", "resolution_note"})
PRIORITY = {"warning": 0, "assessment_result": 1, "record": 2, "workload": 3, "audit_head": 3}
SETTING_KEY = "sync_policy"
SCHEMA = 2
# Entities that carry no student at all: a school's own policy receives them as the default
# sends them (the audit head is what lets the city notice an archive rolled back).
AGGREGATE = frozenset({"workload", "audit_head"})


def _student_no_is_the_student(doc: dict) -> dict:
    """Schema 1 → 2: the field "student_no" became "student" (sent as a pseudonymous key)."""
    for spec in doc.get("entities", {}).values():
        fields = spec.get("fields")
        if isinstance(fields, dict) and "student_no" in fields:
            fields["student"] = bool(fields.pop("student_no")) or bool(fields.get("student"))
    return doc


STEPS = {1: _student_no_is_the_student}


@cache
def default_policy() -> dict:
    from app.paths import resources_dir

    doc = json.loads((resources_dir() / "sync" / "policy.json").read_text(encoding="utf-8"))
    return upgraded(doc, SCHEMA, STEPS, _("sync policy"))


def current_form(doc: dict) -> dict:
    """A school's own policy as this release reads it: upgraded to the current schema, and
    given what later defaults added — an entity without students as the default sends it, every
    other new entity or field *off* (a school's choice is never widened behind its back; the
    sync page lists them for the admin). Raises NewerDocument for a policy from a newer
    release."""
    doc = upgraded(doc, SCHEMA, STEPS, _("sync policy"))
    default = default_policy()
    if doc.get("based_on", 0) >= default.get("version", 1):
        return doc
    doc = copy.deepcopy(doc)
    entities = doc.setdefault("entities", {})
    offered = []
    for entity, spec in default.get("entities", {}).items():
        mine = entities.get(entity)
        if mine is None:
            if entity in AGGREGATE:
                entities[entity] = copy.deepcopy(spec)
            else:
                entities[entity] = {
                    "send": False,
                    "fields": dict.fromkeys(spec.get("fields", {}), False),
                }
                offered.append(entity)
            continue
        for name in spec.get("fields", {}):
            if name not in mine.setdefault("fields", {}):
                mine["fields"][name] = False
                offered.append(f"{entity}.{name}")
    doc["based_on"] = default.get("version", 1)
    doc["offered"] = sorted(set(doc.get("offered", [])) | set(offered))
    return doc


def effective_policy(s: Session) -> dict:
    from app.models import VaultSetting

    if "sync_policy" in s.info:
        return s.info["sync_policy"]
    row = s.get(VaultSetting, SETTING_KEY)
    policy = current_form(row.value["v"]) if row and row.value.get("v") else default_policy()
    s.info["sync_policy"] = policy
    return policy


def _allowed(policy: dict, entity: str) -> dict | None:
    spec = policy.get("entities", {}).get(entity)
    return spec if spec and spec.get("send") else None


def _fields(spec: dict) -> set[str]:
    return {k for k, v in spec.get("fields", {}).items() if v and k not in NEVER}


def student_secret(s: Session) -> str | None:
    """The school's pseudonym secret from the city (enrollment); None before enrolling."""
    from app.models import VaultSetting

    if "sync_student_secret" not in s.info:
        row = s.get(VaultSetting, "sync_enrollment")
        found = (row.value.get("v") or {}).get("student_key_secret") if row else None
        s.info["sync_student_secret"] = found
    return s.info["sync_student_secret"]


def _student(s: Session, student_no: str) -> dict:
    """How a submission names a student: its pseudonymous key (wire.student_key). Before the
    computer is enrolled there is no secret yet: the 学籍号 is held in the queued item, which
    never left, and enrolling replaces it by the key (services/sync.py) before anything is
    sent."""
    secret = student_secret(s)
    return {"student": student_key(secret, student_no)} if secret else {"student_no": student_no}


def _placements(s: Session) -> dict[str, tuple[str, int | None, int | None]]:
    """学籍号, grade and class of every student, read once per transaction (one query)."""
    cache = s.info.get("sync_placements")
    if cache is None:
        rows = s.execute(
            select(Student.id, Student.student_no, Grade.level, SchoolClass.number)
            .outerjoin(SchoolClass, Student.class_id == SchoolClass.id)
            .outerjoin(Grade, SchoolClass.grade_id == Grade.id)
        ).all()
        cache = {sid: (no, level, number) for sid, no, level, number in rows}
        s.info["sync_placements"] = cache
    return cache


def _placement(s: Session, student_id: str | None, class_id: str | None) -> dict:
    out: dict = {}
    if student_id:
        found = _placements(s).get(student_id)
        if found is None:
            pending = (o for o in s.new if isinstance(o, Student) and o.id == student_id)
            st = next(pending, None) or s.get(Student, student_id)
            if st is not None:
                out |= _student(s, st.student_no)
                class_id = class_id or st.class_id
        else:
            out |= _student(s, found[0])
            if not class_id and found[1] is not None:
                out["grade_level"], out["class_number"] = found[1], found[2]
    if class_id:
        cls = s.get(SchoolClass, class_id)
        if cls is not None:
            out["grade_level"] = cls.grade.level
            out["class_number"] = cls.number
    return out


def _day_text(value):
    """A time inside a record's fields goes as its day too."""
    if isinstance(value, str) and len(value) > 10 and value[4] == "-" and value[10] == "T":
        return value[:10]
    return value


def _sent(key: str, fields: set[str]) -> bool:
    """`student_no` is held only until enrollment (see `_student`), under the field "student"."""
    return key in fields or (key == "student_no" and "student" in fields)


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _day(value) -> str | None:
    """A date or time, sent as its day: the city counts, it need not know the hour."""
    if value is None:
        return None
    return value.date().isoformat() if hasattr(value, "date") else _iso(value)


def _result(s: Session, r: AssessmentResult, fields: set[str]) -> dict:
    full = _placement(s, r.student_id, None) | {
        "plan_id": r.plan_id,
        "scale_id": r.scale_id,
        "scale_version": r.scale_version,
        "engine_version": r.engine_version,
        "mode": r.mode,
        "administered_at": _day(r.administered_at),
        "total": r.total,
        "standard_score": r.standard_score,
        "band_id": r.band_id,
        "band_label": r.band_label,
        "subscales": r.subscales,
        "valid": r.valid,
        "flags": r.flags,
        "critical_item_count": len(r.critical_items or []),
        "status": r.status,
    }
    return {k: v for k, v in full.items() if _sent(k, fields)}


def _warning(s: Session, w: Warning, fields: set[str]) -> dict:
    full = _placement(s, w.student_id, None) | {
        "level": w.level,
        "status": w.status,
        "rule_id": w.rule_id,
        "rule_set_version": w.rule_set_version,
        "raised_at": _day(w.raised_at),
        "reviewed_at": _day(w.reviewed_at),
        "resolved_at": _day(w.resolved_at),
    }
    return {k: v for k, v in full.items() if _sent(k, fields)}


def _record(s: Session, r: Record, spec: dict, fields: set[str]) -> dict | None:
    kind = KINDS.get(r.kind)
    allowed_kinds = spec.get("kinds", {})
    if r.private or kind is None or kind.private or r.kind not in allowed_kinds:
        return None
    safe = {f.key for f in kind.fields if f.type in SAFE_BODY_TYPES and not f.hidden}
    body = {
        k: _day_text(_iso(r.body.get(k)))
        for k in allowed_kinds[r.kind]
        if k in safe and k in r.body
    }
    full = _placement(s, r.student_id, r.class_id) | {
        "kind": r.kind,
        "occurred_at": _day(r.occurred_at),
        "voided": r.voided_at is not None,
    }
    out = {k: v for k, v in full.items() if _sent(k, fields)}
    out["kind"] = r.kind
    if body:
        out["fields"] = body
    return out


def serialize(s: Session, obj, policy: dict) -> tuple[str, dict] | None:
    """(entity, payload) for an archive row the policy lets go up, else None."""
    if isinstance(obj, AssessmentResult) and (spec := _allowed(policy, "assessment_result")):
        return "assessment_result", _result(s, obj, _fields(spec))
    if isinstance(obj, Warning) and (spec := _allowed(policy, "warning")):
        return "warning", _warning(s, obj, _fields(spec))
    if isinstance(obj, Record) and (spec := _allowed(policy, "record")):
        payload = _record(s, obj, spec, _fields(spec))
        return ("record", payload) if payload is not None else None
    return None


@dataclass(frozen=True)
class PolicyRow:
    entity: str
    field: str
    sent: bool
    locked: bool  # refused in code, whatever the policy says
    offered: bool = False  # new in a later default, kept off until an admin decides


def describe(policy: dict) -> list[PolicyRow]:
    """Every field of every entity with whether it goes up: what the admin sees on the sync page."""
    rows = []
    offered = set(policy.get("offered", ()))
    for entity, spec in policy.get("entities", {}).items():
        send = bool(spec.get("send"))
        for name, on in spec.get("fields", {}).items():
            locked = name in NEVER
            new = entity in offered or f"{entity}.{name}" in offered
            rows.append(PolicyRow(entity, name, send and bool(on) and not locked, locked, new))
        if entity == "record":
            chosen = spec.get("kinds", {})
            for k in KINDS.values():
                for f in k.fields:
                    locked = f.type not in SAFE_BODY_TYPES or f.hidden or k.private
                    on = send and f.key in chosen.get(k.key, ()) and not locked
                    rows.append(PolicyRow(entity, f"{k.key}.{f.key}", on, locked))
                if k.sections:
                    rows.append(PolicyRow(entity, f"{k.key}.sections", False, True))
        if not spec.get("fields") and not spec.get("kinds"):
            rows.append(PolicyRow(entity, "*", send, False))
    return rows
