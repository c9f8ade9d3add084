"""The server's tables: the organisation tree, devices, published streams and submissions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
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
    # A school's key for pseudonymous student keys (cloud/pseudonyms.py); its devices hold it too.
    pseudonym_secret: Mapped[str | None] = mapped_column(String(64))


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
    # The vault it serves: a computer enrolled again for the same vault inherits this history.
    vault_id: Mapped[str | None] = mapped_column(String(64), index=True)


class StreamItem(Base):
    """One published version of one item; the newest row per (stream, scope, item) is current.

    `scope` is the school the item is meant for, or NULL for every school (scales, rules).
    Publishing takes a per-stream transaction lock, so `seq` order is commit order: a reader
    paging by `seq > cursor` can never skip a row that commits later with a lower number.
    """

    __tablename__ = "stream_item"
    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    stream: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str | None] = mapped_column(ForeignKey("org.id"))
    item_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    deleted: Mapped[bool] = mapped_column(default=False)
    current: Mapped[bool] = mapped_column(Boolean, default=True)  # the newest version of its item
    payload: Mapped[dict | None] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(default=now)

    __table_args__ = (
        Index("ix_stream_item_scope_page", "stream", "scope", "seq"),
        Index("ix_stream_item_item", "stream", "scope", "item_id", "seq"),
    )


class StreamFloor(Base):
    """Per stream and per school (`scope` "" for the city-wide part): cursors below `floor_seq`
    must start over (410). Only purging tombstones raises it; compaction keeps every item's
    newest version, tombstones included, so it never expires a cursor."""

    __tablename__ = "stream_floor"
    stream: Mapped[str] = mapped_column(String(20), primary_key=True)
    scope: Mapped[str] = mapped_column(String(36), primary_key=True, default="")
    floor_seq: Mapped[int] = mapped_column(SEQ, default=0)


class RosterEntry(Base):
    """Who is (or was) on a school's roster, by pseudonymous key: what a device may submit for."""

    __tablename__ = "roster_entry"
    school_id: Mapped[str] = mapped_column(ForeignKey("org.id"), primary_key=True)
    student_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    student_no: Mapped[str] = mapped_column(String(32))
    current: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (Index("ix_roster_entry_no", "student_no"),)


class StreamRejection(Base):
    """A published item a school's client could not apply, with its reason: shown to the city
    admin (`python -m cloud rejections`) so the row can be corrected and published again."""

    __tablename__ = "stream_rejection"
    school_id: Mapped[str] = mapped_column(ForeignKey("org.id"), primary_key=True)
    stream: Mapped[str] = mapped_column(String(20), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int]
    reason: Mapped[str] = mapped_column(String(300))
    reported_at: Mapped[datetime] = mapped_column(default=now)


class Submission(Base):
    """What a school sent. Immutable; a correction arrives as a new one that deprecates it.

    Stored minimised: a pseudonymous student key, never the 学籍号; `retired` is set when a later
    submission of the same school deprecates it, so aggregates read only live rows.
    """

    __tablename__ = "submission"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    server_seq: Mapped[int] = mapped_column(SEQ)  # from a sequence: unique without an index
    device_id: Mapped[str] = mapped_column(ForeignKey("device.id"), index=True)
    school_id: Mapped[str] = mapped_column(ForeignKey("org.id"))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(80))
    student_key: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    deprecates: Mapped[str | None] = mapped_column(String(36))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(default=now)
    note: Mapped[str | None] = mapped_column(Text)
    # What the overview counts by, copied out of the payload at receipt: it groups these
    # columns from one narrow index instead of parsing every row's JSON.
    scale_id: Mapped[str | None] = mapped_column(String(32))
    band_label: Mapped[str | None] = mapped_column(String(60))
    level: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (
        Index(
            "ix_submission_tally",
            "entity",
            "retired",
            "school_id",
            "scale_id",
            "band_label",
            "level",
            "status",
        ),
        Index("ix_submission_school_student", "school_id", "student_key"),
        Index("ix_submission_school_entity_id", "school_id", "entity", "entity_id"),
    )


class SchemaVersion(Base):
    """The layout this database was made with; an older one is refused with what to do."""

    __tablename__ = "schema_version"
    version: Mapped[int] = mapped_column(Integer, primary_key=True)


class Counter(Base):
    """Receipt numbers on SQLite (the quick demo); PostgreSQL uses a real sequence instead."""

    __tablename__ = "counter"
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(SEQ, default=0)
