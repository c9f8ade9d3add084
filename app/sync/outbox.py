"""The transactional outbox: a submission is queued in the very flush that changes the archive,
so a crash can lose neither the data nor the fact that the city must hear of it."""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import chain

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.models import AssessmentResult, OutboxItem, Record, Student, VaultSetting, Warning, utcnow
from app.sync.policy import PRIORITY, effective_policy, serialize
from app.sync.wire import canonical_json, sha256_hex

QUIET = "sync_quiet"  # session.info flag: changes applied from the city are not sent back
_listeners: list[Callable[[], None]] = []
_installed = False
_WATCHED = (AssessmentResult, Warning, Record)


def _latest(s: Session, entity: str, entity_id: str) -> OutboxItem | None:
    return s.scalars(
        select(OutboxItem)
        .where(OutboxItem.entity == entity, OutboxItem.entity_id == entity_id)
        .order_by(OutboxItem.seq.desc())
        .limit(1)
    ).first()


def enqueue(
    s: Session,
    entity: str,
    entity_id: str,
    payload: dict,
    deprecates: str | None = None,
    *,
    new: bool = False,
) -> OutboxItem | None:
    """Queue a payload unless it equals what was last queued for the same entity.

    `new`: the entity is being inserted in this flush, so nothing can have been queued for it.
    """
    text = canonical_json(payload)
    sha = sha256_hex(text)
    prev = None if new else _latest(s, entity, entity_id)
    if prev is not None and prev.sha256 == sha:
        return None
    item = OutboxItem(
        entity=entity,
        entity_id=entity_id,
        priority=PRIORITY.get(entity, 2),
        payload=text,
        sha256=sha,
        deprecates=prev.id if prev is not None else deprecates,
        created_at=utcnow(),
    )
    s.add(item)
    s.info["outbox_added"] = True
    return item


def _before_flush(s: Session, _ctx, _instances) -> None:
    if s.info.get(QUIET):
        return
    if any(isinstance(o, Student | VaultSetting) for o in chain(s.new, s.dirty)):
        s.info.pop("sync_placements", None)  # a class move or a policy change in this transaction
        s.info.pop("sync_policy", None)
    fresh = {id(o) for o in s.new}
    objs = [o for o in chain(s.new, s.dirty) if isinstance(o, _WATCHED)]
    if not objs:
        return
    with s.no_autoflush:
        policy = effective_policy(s)
        for obj in objs:
            out = serialize(s, obj, policy)
            if out is None:
                continue
            entity, payload = out
            replaced = None
            if isinstance(obj, AssessmentResult) and obj.supersedes_id:
                old = _latest(s, entity, obj.supersedes_id)
                replaced = old.id if old is not None else None
            enqueue(s, entity, obj.id, payload, replaced, new=id(obj) in fresh)


def _after_commit(s: Session) -> None:
    if s.info.pop("outbox_added", False):
        for callback in list(_listeners):
            try:
                callback()
            except Exception:  # a listener's failure must never look like a failed commit
                _listeners.remove(callback) if callback in _listeners else None


def _after_rollback(s: Session) -> None:
    s.info.pop("outbox_added", None)


def on_new_items(callback: Callable[[], None]) -> Callable[[], None]:
    """Be told (from the committing thread) when submissions were queued; returns an unsubscribe."""
    _listeners.append(callback)
    return lambda: _listeners.remove(callback) if callback in _listeners else None


def install_outbox() -> None:
    """After change tracking, whose hook fills in ids and defaults that payloads need."""
    global _installed
    if not _installed:
        from app.db.changes import install_change_tracking

        install_change_tracking()
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _installed = True


def rekey_unsent(s: Session, secret: str) -> int:
    """Items queued before this computer had the school's pseudonym secret hold the 学籍号;
    those never attempted are rewritten with the student's key before anything is sent. (An
    item already attempted keeps its content: the city may hold it under that checksum, and
    turns its 学籍号 into the key on receipt.)"""
    from app.sync.wire import student_key

    n = 0
    for item in s.scalars(
        select(OutboxItem).where(OutboxItem.status == "pending", OutboxItem.attempts == 0)
    ):
        payload = json.loads(item.payload)
        no = payload.pop("student_no", None)
        if no is None:
            continue
        payload["student"] = student_key(secret, no)
        item.payload = canonical_json(payload)
        item.sha256 = sha256_hex(item.payload)
        n += 1
    s.info.pop("sync_student_secret", None)
    return n


def counts(s: Session) -> dict[str, int]:
    rows = s.execute(select(OutboxItem.status, func.count()).group_by(OutboxItem.status)).all()
    out = {"pending": 0, "acked": 0, "parked": 0}
    out.update({k: v for k, v in rows})
    return out
