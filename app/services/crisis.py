"""Crisis intervention: the school's protocol as a checklist whose steps are time-stamped as they
are done. A crisis record is never deleted (only voided with a reason), and related students
(friends, classmates, witnesses) are linked for follow-up screening."""

from __future__ import annotations

import datetime as dt

from app.errors import ValidationError
from app.i18n import _
from app.records.choices import CRISIS_STEPS
from app.services import records
from app.services.records import Participant, RecordView
from app.services.vaults import OpenVault


def start_crisis(
    vault: OpenVault,
    student_id: str,
    *,
    trigger: str = "direct",
    warning_id: str | None = None,
    at: dt.datetime | None = None,
    notes: str = "",
) -> RecordView:
    return records.create_record(
        vault,
        "crisis",
        student_id=student_id,
        occurred_at=at or dt.datetime.now(),
        body={"trigger": trigger, "warning_id": warning_id, "steps": {}, "notes": notes},
    )


def complete_step(
    vault: OpenVault, record_id: str, step: str, at: dt.datetime | None = None
) -> RecordView:
    """Time-stamp one protocol step (each change is a new version of the record)."""
    if step not in CRISIS_STEPS:
        raise ValidationError("step", _("Unknown protocol step."))
    r = records.get_record(vault, record_id)
    body = dict(r.body)
    steps = dict(body.get("steps") or {})
    steps[step] = (at or dt.datetime.now()).isoformat(timespec="minutes")
    body["steps"] = steps
    return records.update_record(vault, record_id, body=body)


def link_related(vault: OpenVault, record_id: str, related: list[tuple[str, str]]) -> RecordView:
    """Link friends, classmates or witnesses (student id, relation) for follow-up screening."""
    r = records.get_record(vault, record_id)
    people = list(r.participants) + [Participant(sid, True, relation) for sid, relation in related]
    return records.update_record(vault, record_id, body=dict(r.body), participants=people)


def open_steps(record: RecordView) -> list[str]:
    done = record.body.get("steps") or {}
    return [k for k in CRISIS_STEPS if k not in done]
