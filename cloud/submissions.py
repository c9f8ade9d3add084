"""Up submissions: idempotent by their UUID, immutable, corrected only by deprecation."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.canonical import digest, payload_sha256
from cloud.models import Counter, Device, Submission

ENTITIES = ("assessment_result", "warning", "record", "workload", "audit_head")
WARNING_LEVELS = ("red", "orange", "yellow", "watch")


@dataclass
class Outcome:
    submission_id: str
    status: int  # 201 stored, 200 duplicate of what is stored, 409 conflict, 422 invalid
    receipt: dict | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        out = {"submission_id": self.submission_id, "status": self.status}
        if self.receipt is not None:
            out["receipt"] = self.receipt
        if self.error is not None:
            out["error"] = self.error
        return out


def _receipt(sub: Submission) -> dict:
    return {
        "submission_id": sub.id,
        "server_seq": sub.server_seq,
        "received_at": sub.received_at.isoformat() + "Z",
        "payload_sha256": sub.sha256,
    }


def _problem(item: dict) -> str | None:
    """Semantic checks beyond the schema; the client parks what fails them."""
    payload = item["payload"]
    if payload_sha256(payload) != item["payload_sha256"]:
        return "payload_sha256 does not match the payload"
    entity = item["entity"]
    if entity in ("assessment_result", "warning") and not payload.get("student_no"):
        return "student_no is required"
    if entity == "record" and not payload.get("kind"):
        return "kind is required"
    if entity == "warning" and payload.get("level") not in WARNING_LEVELS:
        return "unknown warning level"
    if entity == "assessment_result" and not payload.get("scale_id"):
        return "scale_id is required"
    if entity == "audit_head" and not _head_shape(payload):
        return "an audit head is {seq: positive integer, hash: 64 hex digits}"
    return None


def _head_shape(payload: dict) -> bool:
    seq, head = payload.get("seq"), payload.get("hash")
    return (
        type(seq) is int
        and 0 < seq < 2**53
        and isinstance(head, str)
        and len(head) == 64
        and all(c in "0123456789abcdef" for c in head)
    )


def _lock_counter(s: Session) -> Counter:
    """Batches are serialised on this row, so a retry racing its original sees it committed."""
    row = s.get(Counter, "submission", with_for_update=True)
    if row is None:
        s.add(Counter(name="submission", value=0))
        s.flush()
        row = s.get(Counter, "submission", with_for_update=True)
    return row


def accept(s: Session, device: Device, items: list[dict]) -> list[Outcome]:
    """Store new submissions; identical resends get the original receipt, different content 409."""
    counter = _lock_counter(s)
    ids = [i["submission_id"] for i in items]
    known = {sub.id: sub for sub in s.scalars(select(Submission).where(Submission.id.in_(ids)))}
    outcomes: list[Outcome | None] = []
    fresh: list[tuple[int, dict]] = []
    seen: set[str] = set()
    for pos, item in enumerate(items):
        sid = item["submission_id"]
        old = known.get(sid)
        if old is not None:
            same = old.sha256 == item["payload_sha256"] == payload_sha256(item["payload"])
            if (
                same
                and old.device_id == device.id
                and (old.entity == item["entity"] and old.entity_id == item["entity_id"])
            ):
                outcomes.append(Outcome(sid, 200, _receipt(old)))
            else:
                outcomes.append(
                    Outcome(sid, 409, error="idempotency key reused with different content")
                )
            continue
        if sid in seen:
            outcomes.append(Outcome(sid, 409, error="submission repeated within the batch"))
            continue
        problem = _problem(item)
        if problem:
            outcomes.append(Outcome(sid, 422, error=problem))
            continue
        seen.add(sid)
        outcomes.append(None)
        fresh.append((pos, item))
    if fresh:
        seq = counter.value + 1
        counter.value += len(fresh)
        rows = []
        for k, (_pos, item) in enumerate(fresh):
            sub = Submission(
                id=item["submission_id"],
                server_seq=seq + k,
                device_id=device.id,
                school_id=device.school_id,
                entity=item["entity"],
                entity_id=item["entity_id"],
                student_no=item["payload"].get("student_no"),
                payload=item["payload"],
                sha256=item["payload_sha256"],
                deprecates=item.get("deprecates"),
            )
            rows.append(sub)
        s.add_all(rows)
        s.flush()
        for (pos, _item), sub in zip(fresh, rows, strict=True):
            outcomes[pos] = Outcome(sub.id, 201, _receipt(sub))
    return [o for o in outcomes if o is not None]


def latest_audit_head(s: Session, school_id: str, vault_id: str) -> dict | None:
    """The audit head this vault sent last (by arrival): what the client's log must still
    contain, entry for entry, at its next session — an anchor outside the school's computer."""
    sub = s.scalars(
        select(Submission)
        .where(
            Submission.school_id == school_id,
            Submission.entity == "audit_head",
            Submission.entity_id == vault_id,
        )
        .order_by(Submission.server_seq.desc())
        .limit(1)
    ).first()
    if sub is None or not _head_shape(sub.payload):
        return None
    return {
        "seq": sub.payload["seq"],
        "hash": sub.payload["hash"],
        "received_at": sub.received_at.isoformat() + "Z",
    }


def device_digest(s: Session, device_id: str) -> dict:
    pairs = s.execute(
        select(Submission.id, Submission.sha256).where(Submission.device_id == device_id)
    ).all()
    return digest((a, b) for a, b in pairs)
