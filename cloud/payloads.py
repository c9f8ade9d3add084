"""What a submission may carry, field by field, and the minimised form the city stores.

Every field is bounded (type, length, range) so a malformed item is refused on its own with a
`422` and a reason — never a `500` that fails the whole batch. Older clients' fields are taken
and minimised on the way in: a 学籍号 becomes the school's pseudonymous key, a teacher's name is
dropped, a timestamp becomes its day (docs/sync-protocol.md §5, each field's purpose).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from cloud.canonical import canonical_json

MAX_PAYLOAD_BYTES = 16 * 1024
WARNING_LEVELS = ("red", "orange", "yellow", "watch")
PER_STUDENT = frozenset({"assessment_result", "warning"})

Short = Annotated[str, StringConstraints(max_length=40)]
Name = Annotated[str, StringConstraints(max_length=60)]
Number = int | float
Key = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{24}$")]


def _day(value: str | None) -> str | None:
    """A date or timestamp, kept to its day: when exactly a session began is not the city's."""
    if value is None:
        return None
    if len(value) > 40:
        raise ValueError("a date is at most 40 characters")
    try:
        day = (
            dt.date.fromisoformat(value)
            if len(value) == 10
            else dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        )
    except ValueError as exc:
        raise ValueError("not an ISO date") from exc
    return day.isoformat()


Day = Annotated[str, StringConstraints(max_length=40)]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Placement(_Payload):
    student: Key | None = None  # the school's pseudonymous key (§5)
    student_no: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None
    grade_level: Annotated[int, Field(ge=1, le=12)] | None = None
    class_number: Annotated[int, Field(ge=1, le=99)] | None = None


class Result(_Placement):
    plan_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    scale_id: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    scale_version: Short | None = None
    engine_version: Short | None = None
    mode: Short | None = None
    administered_at: Day | None = None
    total: Number | None = None
    standard_score: Number | None = None
    band_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    band_label: Name | None = None
    subscales: Annotated[dict[Short, Number | None], Field(max_length=60)] | None = None
    valid: bool | None = None
    flags: Annotated[list[Short], Field(max_length=20)] | None = None
    critical_item_count: Annotated[int, Field(ge=0, le=1000)] | None = None
    status: Short | None = None


class WarningPayload(_Placement):
    level: Literal[WARNING_LEVELS]  # type: ignore[valid-type]
    status: Short | None = None
    rule_id: Annotated[str, StringConstraints(max_length=80)] | None = None
    rule_set_version: int | Short | None = None
    raised_at: Day | None = None
    reviewed_at: Day | None = None
    resolved_at: Day | None = None


class RecordPayload(_Placement):
    kind: Annotated[str, StringConstraints(min_length=1, max_length=30)]
    occurred_at: Day | None = None
    voided: bool | None = None
    participant_count: Annotated[int, Field(ge=0, le=10_000)] | None = None
    fields: (
        Annotated[dict[Short, int | float | bool | Short | None], Field(max_length=20)] | None
    ) = None


class Workload(_Payload):
    semester: Short
    role: Short | None = None
    teachers: Annotated[int, Field(ge=0, le=10_000)] | None = None
    teacher_id: Short | None = None  # older clients; not stored
    teacher_name: Name | None = None  # older clients; not stored
    sessions: Annotated[Number, Field(ge=0)] | None = None
    session_hours: Annotated[Number, Field(ge=0)] | None = None
    group_sessions: Annotated[Number, Field(ge=0)] | None = None
    lessons: Annotated[Number, Field(ge=0)] | None = None
    contacts: Annotated[Number, Field(ge=0)] | None = None
    crisis: Annotated[Number, Field(ge=0)] | None = None
    class_meetings: Annotated[Number, Field(ge=0)] | None = None
    parent_lectures: Annotated[Number, Field(ge=0)] | None = None
    teacher_lectures: Annotated[Number, Field(ge=0)] | None = None
    training: Annotated[Number, Field(ge=0)] | None = None
    training_hours: Annotated[Number, Field(ge=0)] | None = None
    home_visits: Annotated[Number, Field(ge=0)] | None = None


class AuditHead(_Payload):
    seq: Annotated[int, Field(ge=1, le=2**53)]
    hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


MODELS: dict[str, type[_Payload]] = {
    "assessment_result": Result,
    "warning": WarningPayload,
    "record": RecordPayload,
    "workload": Workload,
    "audit_head": AuditHead,
}
DAYS = ("administered_at", "raised_at", "reviewed_at", "resolved_at", "occurred_at")


class PayloadInvalid(Exception):
    """A reason the client shows beside the parked item."""


def check(entity: str, payload) -> _Payload:
    if not isinstance(payload, dict):
        raise PayloadInvalid("payload must be an object")
    if len(canonical_json(payload).encode()) > MAX_PAYLOAD_BYTES:
        raise PayloadInvalid(f"payload larger than {MAX_PAYLOAD_BYTES} bytes")
    try:
        model = MODELS[entity].model_validate(payload)
        for name in DAYS:
            if hasattr(model, name):
                _day(getattr(model, name))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "payload"
        raise PayloadInvalid(f"payload.{where}: {first['msg']}"[:300]) from exc
    except ValueError as exc:
        raise PayloadInvalid(str(exc)[:300]) from exc
    if entity in PER_STUDENT and not (model.student or model.student_no):
        raise PayloadInvalid("a student is required (payload.student)")
    return model


def stored(entity: str, model: _Payload, key: str | None) -> dict:
    """The minimised payload kept by the city: a key for the student, days for times, no names."""
    out = model.model_dump(exclude_none=False)
    out.pop("student_no", None)
    if "student" in out:
        out["student"] = key
    for name in DAYS:
        if name in out:
            out[name] = _day(out[name])
    if entity == "workload":
        out.pop("teacher_id", None)
        out.pop("teacher_name", None)
    return {k: v for k, v in out.items() if v is not None or k in model.model_fields_set}
