"""The hash-chained audit log: metadata only, keyed with a key derived from the data key.

hash_i = HMAC-SHA256(audit_key, prev_hash || canonical JSON of entry i). Without the data key
nobody can forge a consistent chain; `verify` names the first entry that does not fit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry, utcnow

GENESIS = "0" * 64

UNLOCK = "unlock"
UNLOCK_FAILED = "unlock_failed"
LOCK = "lock"
VIEW_STUDENT = "view_student"
CREATE = "create"
UPDATE = "update"
IMPORT = "import"
EXPORT = "export"
RECOVERY_RESET = "recovery_reset"
SYNC = "sync"
PASSPHRASE_CHANGE = "passphrase_change"
USER_REMOVED = "user_removed"
RECOVERY_REGENERATED = "recovery_regenerated"
KEY_ROTATED = "key_rotated"
AUDIT_CITY_MISMATCH = "audit_city_mismatch"
HANDOVER = "handover"
BACKUP = "backup"
RESTORE = "restore"
SYNC_ENROLL = "sync_enroll"
INTEGRITY_FAILED = "integrity_failed"


def derive_audit_key(dek: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    from app.db.wipe import hold

    return hold(
        HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"xindang audit chain").derive(
            dek
        )
    )


def _canonical(e: AuditEntry) -> bytes:
    doc = {
        "seq": e.seq,
        "at": e.at.isoformat(timespec="microseconds"),
        "actor": e.actor_id,
        "action": e.action,
        "type": e.object_type,
        "object": e.object_id,
        "detail": e.detail,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _digest(key: bytes, prev: str, e: AuditEntry) -> str:
    return hmac.new(key, prev.encode() + _canonical(e), hashlib.sha256).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    detail: dict | None = None,
    actor_id: str | None = None,
    at=None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (so it commits or rolls back with the work)."""
    key = session.info.get("audit_key")
    if key is None:
        raise RuntimeError("audit key missing from session")
    if actor_id is None:
        actor_id = session.info.get("user_id")
    head = session.info.get("audit_head")  # valid for the whole transaction: BEGIN IMMEDIATE
    if head is None:
        last = session.execute(
            select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
        head = (last[0], last[1]) if last else (0, GENESIS)
    prev_seq, prev_hash = head
    entry = AuditEntry(
        seq=prev_seq + 1,
        at=at or utcnow(),
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=json.dumps(detail or {}, sort_keys=True, ensure_ascii=False),
        prev_hash=prev_hash,
        hash="",
    )
    entry.hash = _digest(key, prev_hash, entry)
    session.info["audit_head"] = (entry.seq, entry.hash)
    session.add(entry)
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_broken: int | None
    head: str


def verify(session: Session) -> ChainReport:
    key = session.info["audit_key"]
    prev = GENESIS
    expected_seq = 1
    count = 0
    for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(1000):
        if e.seq != expected_seq or e.prev_hash != prev or e.hash != _digest(key, prev, e):
            return ChainReport(False, count, e.seq if e.seq == expected_seq else expected_seq, prev)
        prev = e.hash
        expected_seq += 1
        count += 1
    return ChainReport(True, count, None, prev)


def head(session: Session) -> tuple[int, str]:
    """(entries, last hash) as the chain stands: what the anchor records."""
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return (last[0], last[1]) if last else (0, GENESIS)


def anchor_problem(session: Session, anchor) -> str | None:
    """Why the log no longer matches its anchor (in Chinese), or None. `anchor` is an
    `app.vault.anchor.AuditAnchor` whose MAC was already checked."""
    from app.i18n import _

    entries, _head = head(session)
    if entries < anchor.entries:
        return _(
            "the audit log was cut short after {at}: it had {expected} entries when the archive "
            "was last locked, and now has {found}."
        ).format(at=anchor.at[:16].replace("T", " "), expected=anchor.entries, found=entries)
    if anchor.entries:
        then = session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == anchor.entries))
        if then != anchor.head:
            return _(
                "the audit log was rewritten before {at}: entry {seq} is not the one recorded "
                "when the archive was last locked."
            ).format(at=anchor.at[:16].replace("T", " "), seq=anchor.entries)
    return None


def city_head_problem(session: Session, seq: int, head_hash: str, received_at: str) -> str | None:
    """Why the log no longer contains the head the city received last (in Chinese), or None.

    The anchor in keys.json cannot catch an older copy of the *whole* folder (database and key
    file together); the city's copy of the head can: every entry it received must still be
    here, unchanged. A restore from a backup, audited as such after the city received that head,
    explains a shorter or different log.
    """
    from app.i18n import _

    entries, _last = head(session)
    here = session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == seq))
    if seq <= entries and here == head_hash:
        return None
    if _explained_by_restore(session, seq, received_at):
        return None
    at = received_at[:16].replace("T", " ")
    if seq > entries:
        return _(
            "The city platform received this computer's audit entry {seq} on {at}, but the log "
            "here now has only {found} entries: the archive may have been replaced by an older "
            "copy."
        ).format(seq=seq, at=at, found=entries)
    return _(
        "Audit entry {seq} here differs from the one the city platform received on {at}: the "
        "log was rewritten before it, or the archive was replaced by another copy."
    ).format(seq=seq, at=at)


def _explained_by_restore(session: Session, seq: int, received_at: str) -> bool:
    import datetime as dt

    try:
        received = dt.datetime.fromisoformat(received_at.replace("Z", "+00:00"))
    except ValueError:
        return False
    received = received.replace(tzinfo=None) if received.tzinfo else received
    for e in session.scalars(select(AuditEntry).where(AuditEntry.action == RESTORE)):
        detail = json.loads(e.detail or "{}")
        before = detail.get("previous_entries")
        if before is None and detail.get("rolled_back_entries") is not None:
            before = detail["rolled_back_entries"] + e.seq - 1
        at = e.at.replace(tzinfo=None) if e.at.tzinfo else e.at
        if before is not None and before >= seq and at >= received:
            return True
    return False


@dataclass(frozen=True)
class CityMismatch:
    at: str
    city_seq: int
    entries: int


def city_mismatches(session: Session) -> list[CityMismatch]:
    """Every session at which the log did not hold the head the city had received."""
    out = []
    for e in session.scalars(
        select(AuditEntry).where(AuditEntry.action == AUDIT_CITY_MISMATCH).order_by(AuditEntry.seq)
    ):
        d = json.loads(e.detail or "{}")
        out.append(
            CityMismatch(e.at.strftime("%Y-%m-%d %H:%M"), d.get("city_seq"), d.get("entries"))
        )
    return out
