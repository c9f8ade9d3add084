"""Counseling records of every kind, with their versions and participants.

One table for all kinds keeps versioning, voiding, auditing and the timeline uniform; each kind's
fields live in `body` and are described (and checked) by `app/records/kinds.py`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, event, inspect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import flag_modified, set_committed_value

from app.models.base import Base, Tracked, new_id, utcnow
from app.models.fieldcrypt import ClinicalBody, ClinicalText
from app.records.kinds import body_schema, current_body, due_at


class Record(Tracked, Base):
    __tablename__ = "record"
    kind: Mapped[str] = mapped_column(String(24), index=True)
    student_id: Mapped[str | None] = mapped_column(ForeignKey("student.id"), index=True)
    class_id: Mapped[str | None] = mapped_column(ForeignKey("school_class.id"), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("record.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    author_id: Mapped[str | None] = mapped_column(String(36), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[dict] = mapped_column(ClinicalBody("record.body"))
    private: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    edited_by: Mapped[str | None] = mapped_column(String(36))  # who saved the current version
    voided_at: Mapped[datetime | None]
    voided_by: Mapped[str | None] = mapped_column(String(36))
    void_reason: Mapped[str | None] = mapped_column(Text)
    # When it falls due (app/records/kinds.py `due_at`), kept up to date at every flush: the lists
    # of things to do read this index instead of every record's body.
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    # The format `body` was written in (app/records/kinds.py `Kind.schema`).
    body_schema: Mapped[int] = mapped_column(default=1, server_default="1")


@event.listens_for(Record, "load")
def _body_in_current_form(record: Record, _context) -> None:
    """An older body is read in its kind's current form (nothing is written until it is saved);
    a sealed body (no clinical key, or a private note) is upgraded when it is opened and saved."""
    from app.models.fieldcrypt import SEALED

    if record.private or isinstance(record.body, SEALED):
        return
    new = current_body(record.kind, record.body_schema, record.body)
    if new is not record.body:
        set_committed_value(record, "body", new)
        set_committed_value(record, "body_schema", body_schema(record.kind))


@event.listens_for(Record, "before_insert")
@event.listens_for(Record, "before_update")
def _keep_due_at(_mapper, _connection, record: Record) -> None:
    from app.models.fieldcrypt import SEALED

    if isinstance(record.body, SEALED):
        return  # written without the clinical key: nothing of its dates changed
    if inspect(record).attrs.body.history.has_changes() or record.body_schema is None:
        record.body_schema = body_schema(record.kind)  # the body goes down in the current form
        if inspect(record).persistent:
            flag_modified(record, "body_schema")  # its loaded value may already say so in memory
    record.due_at = (
        None
        if record.voided_at is not None
        else due_at(record.kind, record.occurred_at, record.body)
    )


class RecordVersion(Base):
    """The body as it was before an edit: who changed it and when. Never updated."""

    __tablename__ = "record_version"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[dict] = mapped_column(ClinicalBody("record_version.body"))
    occurred_at: Mapped[datetime]
    saved_by: Mapped[str | None] = mapped_column(String(36))
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    body_schema: Mapped[int] = mapped_column(default=1, server_default="1")


class RecordParticipant(Tracked, Base):
    """A student in a group session or class meeting: attendance and an observation."""

    __tablename__ = "record_participant"
    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"), index=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("student.id"), index=True)
    attended: Mapped[bool] = mapped_column(default=True)
    observation: Mapped[str | None] = mapped_column(ClinicalText("record_participant.observation"))
