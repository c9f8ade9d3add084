"""Sync state kept inside the vault: the outbox, stream cursors, city items, conflicts.

None of these is `Tracked`: they describe the exchange, not the archive, and must not feed the
change log that feeds them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, new_id, utcnow

OUTBOX_STATUSES = ("pending", "acked", "parked")


class OutboxItem(Base):
    """One submission, written in the same transaction as the data it reports.

    `id` is the submission's UUID and its Idempotency-Key; `payload` is the canonical JSON that
    was serialised under the sync policy at that moment, byte for byte what will be sent.
    """

    __tablename__ = "sync_outbox"
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(80))
    priority: Mapped[int] = mapped_column(default=1)
    payload: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    deprecates: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    receipt: Mapped[dict | None] = mapped_column(JSON)
    acked_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_sync_outbox_queue", "status", "priority", "seq"),
        Index("ix_sync_outbox_entity", "entity", "entity_id"),
    )


class SyncCursor(Base):
    __tablename__ = "sync_cursor"
    stream: Mapped[str] = mapped_column(String(20), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    full_downloads: Mapped[int] = mapped_column(default=0)


class RefItem(Base):
    """The newest version of each item the city published, as received (the digest's input)."""

    __tablename__ = "sync_ref_item"
    stream: Mapped[str] = mapped_column(String(20), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int]
    deleted: Mapped[bool] = mapped_column(default=False)
    payload: Mapped[dict | None] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncConflict(Base):
    """A city change that met a local edit: both versions kept until a counselor decides."""

    __tablename__ = "sync_conflict"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(80), index=True)
    local: Mapped[dict] = mapped_column(JSON)
    server: Mapped[dict] = mapped_column(JSON)
    server_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(36))
    resolution: Mapped[str | None] = mapped_column(String(12))  # server / local
