"""The server's tables: the organisation tree, devices, published streams and submissions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_id() -> str:
    return str(uuid.uuid4())


# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a BIGSERIAL.
SEQ = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    pass


class Org(Base):
    """City → district → school: who may see which aggregate, and which school a device is in."""

    __tablename__ = "org"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    level: Mapped[str] = mapped_column(String(10))  # city / district / school
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("org.id"), index=True)


class EnrollmentCode(Base):
    """A one-time code a district admin hands to a school; only its hash is kept."""

    __tablename__ = "enrollment_code"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    school_id: Mapped[str] = mapped_column(ForeignKey("org.id"))
    issued_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    device_id: Mapped[str | None] = mapped_column(String(36))


class Device(Base):
    __tablename__ = "device"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    school_id: Mapped[str] = mapped_column(ForeignKey("org.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64))
    enrolled_at: Mapped[datetime] = mapped_column(default=now)
    revoked_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    client_version: Mapped[str | None] = mapped_column(String(20))


class StreamItem(Base):
    """One published version of one item; the newest row per (stream, scope, item) is current.

    `scope` is the school the item is meant for, or NULL for every school (scales, rules).
    """

    __tablename__ = "stream_item"
    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    stream: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str | None] = mapped_column(ForeignKey("org.id"))
    item_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    deleted: Mapped[bool] = mapped_column(default=False)
    payload: Mapped[dict | None] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(default=now)

    __table_args__ = (
        Index("ix_stream_item_page", "stream", "seq"),
        Index("ix_stream_item_item", "stream", "scope", "item_id"),
    )


class StreamFloor(Base):
    """Cursors below `floor_seq` were compacted away: a client holding one gets 410."""

    __tablename__ = "stream_floor"
    stream: Mapped[str] = mapped_column(String(20), primary_key=True)
    floor_seq: Mapped[int] = mapped_column(SEQ, default=0)


class Submission(Base):
    """What a school sent. Immutable; a correction arrives as a new one that deprecates it."""

    __tablename__ = "submission"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    server_seq: Mapped[int] = mapped_column(SEQ, unique=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("device.id"), index=True)
    school_id: Mapped[str] = mapped_column(ForeignKey("org.id"), index=True)
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(80), index=True)
    student_no: Mapped[str | None] = mapped_column(String(32), index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    deprecates: Mapped[str | None] = mapped_column(String(36))
    received_at: Mapped[datetime] = mapped_column(default=now)
    note: Mapped[str | None] = mapped_column(Text)


class Counter(Base):
    """A portable sequence (PostgreSQL and SQLite alike) for submission receipts."""

    __tablename__ = "counter"
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(SEQ, default=0)
