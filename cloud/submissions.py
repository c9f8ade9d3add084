"""Up submissions: idempotent by their UUID, immutable, corrected only by deprecation."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from cloud.canonical import digest, payload_sha256
from cloud.models import Counter, Device, Org, RosterEntry, Submission, now
from cloud.payloads import PayloadInvalid, check, stored
from cloud.pseudonyms import school_secret, student_key

ENTITIES = ("assessment_result", "warning", "record", "workload", "audit_head")


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


SUBMISSION_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SHA = re.compile(r"^[0-9a-f]{64}$")
ITEM_KEYS = {
    "submission_id",
    "entity",
    "entity_id",
    "payload",
    "payload_sha256",
    "deprecates",
    "created_at",
}


def _shape_problem(item) -> str | None:
    """The envelope of one item; what fails here is that item's 422, not the batch's."""
    if not isinstance(item, dict):
        return "an item must be an object"
    extra = set(item) - ITEM_KEYS
    if extra:
        return f"unknown field {sorted(extra)[0]!r}"
    if not isinstance(item.get("entity"), str) or item["entity"] not in ENTITIES:
        return "entity must be one of " + ", ".join(ENTITIES)
    eid = item.get("entity_id")
    if not isinstance(eid, str) or not 1 <= len(eid) <= 80:
        return "entity_id must be a string of 1 to 80 characters"
    if not isinstance(item.get("payload_sha256"), str) or not SHA.match(item["payload_sha256"]):
        return "payload_sha256 must be 64 hex digits"
    dep = item.get("deprecates")
    if dep is not None and (not isinstance(dep, str) or not SUBMISSION_ID.match(dep)):
        return "deprecates must be a submission id"
    created = item.get("created_at")
    if not isinstance(created, str) or len(created) > 40:
        return "created_at must be an ISO timestamp"
    return None


def _submission_id(item) -> str:
    sid = item.get("submission_id") if isinstance(item, dict) else None
    return sid if isinstance(sid, str) and SUBMISSION_ID.match(sid) else ""


def _next_seqs(s: Session, n: int) -> list[int]:
    """Receipt numbers: a PostgreSQL sequence (no row to queue on); a counter row on SQLite,
    whose writers are serialised anyway."""
    if s.get_bind().dialect.name == "postgresql":
        return list(
            s.scalars(
                text("SELECT nextval('submission_server_seq') FROM generate_series(1, :n)"),
                {"n": n},
            )
        )
    row = s.get(Counter, "submission", with_for_update=True)
    if row is None:
        row = Counter(name="submission", value=0)
        s.add(row)
    first = row.value + 1
    row.value += n
    s.flush()
    return list(range(first, first + n))


def _insert(s: Session, rows: list[dict]) -> set[str]:
    """Insert, skipping ids that already exist (a retry racing its original); returns the ids
    this call stored."""
    if not rows:
        return set()
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # Any conflict, not only on `id`: a layout partitioned by school keys on (school_id, id).
    stmt = insert(Submission).on_conflict_do_nothing().returning(Submission.id)
    # One statement, compiled once and cached, sent as multi-row VALUES by the driver layer
    # ("insertmanyvalues"): no per-batch SQL compilation.
    return set(s.scalars(stmt, rows))


def accept(s: Session, device: Device, items: list) -> list[Outcome]:
    """Check each item on its own (shape, payload, student on this school's roster, what it
    deprecates), store the new ones, and answer each: 201 stored, 200 identical resend (the
    original receipt), 409 the id reused for other content, 422 refused with the reason."""
    ids = [_submission_id(i) for i in items]
    wanted = [i for i in ids if i]
    known = (
        {
            row.id: row
            for row in s.execute(
                select(
                    Submission.id,
                    Submission.server_seq,
                    Submission.received_at,
                    Submission.sha256,
                    Submission.school_id,
                    Submission.device_id,
                    Submission.entity,
                    Submission.entity_id,
                ).where(Submission.id.in_(wanted))
            )
        }
        if wanted
        else {}
    )
    school = s.get(Org, device.school_id)
    secret = school_secret(s, school)
    outcomes: list[Outcome | None] = []
    fresh: list[tuple[int, dict, dict, str | None]] = []
    seen: set[str] = set()
    for pos, item in enumerate(items):
        sid = ids[pos]
        if not sid:
            outcomes.append(Outcome(_raw_id(item), 422, error="submission_id must be a UUID"))
            continue
        problem = _shape_problem(item)
        old = known.get(sid)
        if old is not None and problem is None:
            same = old.sha256 == item["payload_sha256"] == payload_sha256(item.get("payload"))
            if (
                same
                and old.school_id == device.school_id
                and (old.device_id == device.id or _same_vault(s, old.device_id, device))
                and old.entity == item["entity"]
                and old.entity_id == item["entity_id"]
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
        if problem is None and payload_sha256(item.get("payload")) != item["payload_sha256"]:
            problem = "payload_sha256 does not match the payload"
        model = None
        if problem is None:
            try:
                model = check(item["entity"], item["payload"])
            except PayloadInvalid as exc:
                problem = str(exc)
        if problem:
            outcomes.append(Outcome(sid, 422, error=problem))
            continue
        key = model.student if getattr(model, "student", None) else None
        if key is None and getattr(model, "student_no", None):
            key = student_key(secret, model.student_no)
        seen.add(sid)
        outcomes.append(None)
        fresh.append((pos, item, stored(item["entity"], model, key), key))
    refusals = _authorization_problems(s, device, fresh, known)
    accepted = []
    for pos, item, payload, key in fresh:
        if pos in refusals:
            outcomes[pos] = Outcome(ids[pos], 422, error=refusals[pos])
        else:
            accepted.append((pos, item, payload, key))
    seqs = _next_seqs(s, len(accepted)) if accepted else []
    received = now()
    rows = [
        {
            "id": item["submission_id"],
            "server_seq": seq,
            "device_id": device.id,
            "school_id": device.school_id,
            "entity": item["entity"],
            "entity_id": item["entity_id"],
            "student_key": key,
            "payload": payload,
            "sha256": item["payload_sha256"],
            "deprecates": item.get("deprecates"),
            "retired": False,
            "received_at": received,
            "scale_id": payload.get("scale_id"),
            "band_label": payload.get("band_label"),
            "level": payload.get("level"),
            "status": payload.get("status")
            or ("final" if item["entity"] == "assessment_result" else None),
        }
        for (_pos, item, payload, key), seq in zip(accepted, seqs, strict=True)
    ]
    stored_ids = _insert(s, rows)
    retire = [r["deprecates"] for r in rows if r["deprecates"] and r["id"] in stored_ids]
    if retire:
        s.execute(
            update(Submission)
            .where(Submission.id.in_(retire), Submission.school_id == device.school_id)
            .values(retired=True)
        )
    raced = [r["id"] for r in rows if r["id"] not in stored_ids]
    now_known = (
        {sub.id: sub for sub in s.scalars(select(Submission).where(Submission.id.in_(raced)))}
        if raced
        else {}
    )
    by_id = {r["id"]: r for r in rows}
    for pos, item, _payload, _key in accepted:
        sid = item["submission_id"]
        if sid in stored_ids:
            r = by_id[sid]
            outcomes[pos] = Outcome(
                sid,
                201,
                {
                    "submission_id": sid,
                    "server_seq": r["server_seq"],
                    "received_at": received.isoformat() + "Z",
                    "payload_sha256": r["sha256"],
                },
            )
        else:  # stored meanwhile by a retry racing this request
            other = now_known.get(sid)
            same = other is not None and other.sha256 == item["payload_sha256"]
            outcomes[pos] = (
                Outcome(sid, 200, _receipt(other))
                if same and other.school_id == device.school_id
                else Outcome(sid, 409, error="idempotency key reused with different content")
            )
    return [o for o in outcomes if o is not None]


def _raw_id(item) -> str:
    sid = item.get("submission_id") if isinstance(item, dict) else None
    return sid[:64] if isinstance(sid, str) else ""


def _same_vault(s: Session, device_id: str, device: Device) -> bool:
    """A computer enrolled again for the same vault owns what its predecessor sent."""
    if not device.vault_id:
        return False
    other = s.get(Device, device_id)
    return other is not None and other.vault_id == device.vault_id


def _authorization_problems(s: Session, device: Device, fresh, known) -> dict[int, str]:
    """A device writes only for students on its own school's roster (now or before), and
    deprecates only its own school's submissions."""
    keys = {key for _pos, _item, _payload, key in fresh if key}
    on_roster = (
        set(
            s.scalars(
                select(RosterEntry.student_key).where(
                    RosterEntry.school_id == device.school_id,
                    RosterEntry.student_key.in_(keys),
                )
            )
        )
        if keys
        else set()
    )
    targets = {item["deprecates"] for _pos, item, _payload, _key in fresh if item.get("deprecates")}
    batch = {item["submission_id"]: item for _pos, item, _payload, _key in fresh}
    owners = (
        dict(
            s.execute(
                select(Submission.id, Submission.school_id).where(Submission.id.in_(targets))
            ).all()
        )
        if targets
        else {}
    )
    problems: dict[int, str] = {}
    for pos, item, _payload, key in fresh:
        if key is not None and key not in on_roster:
            problems[pos] = "student not on this school's roster (publish the roster first)"
            continue
        dep = item.get("deprecates")
        if dep is None:
            continue
        owner = owners.get(dep)
        if owner is None and dep in batch:
            owner = device.school_id  # deprecates an earlier item of this same batch
        if owner is None:
            problems[pos] = "deprecates a submission the city has not received"
        elif owner != device.school_id:
            problems[pos] = "deprecates a submission of another school"
    return problems


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
    if sub is None:
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
