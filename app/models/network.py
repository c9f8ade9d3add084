"""The four-level network: who is responsible for each student, and who was told what, when."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Tracked

ROLES = ("principal", "counselor", "head_teacher", "committee", "guardian")


class NetworkMember(Tracked, Base):
    """A responsible person at school level (no class, no student), class level, or per student."""

    __tablename__ = "network_member"
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(40))
    class_id: Mapped[str | None] = mapped_column(ForeignKey("school_class.id"), index=True)
    student_id: Mapped[str | None] = mapped_column(ForeignKey("student.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)


class WarningNotification(Tracked, Base):
    __tablename__ = "warning_notification"
    warning_id: Mapped[str] = mapped_column(ForeignKey("warning.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    person_name: Mapped[str] = mapped_column(String(60))
    method: Mapped[str] = mapped_column(String(16))
    notified_at: Mapped[datetime]
    notified_by: Mapped[str | None] = mapped_column(String(36))


class CommitteeMember(Tracked, Base):
    """A class's 心理委员: a student, for a term. They report to the counselor; nothing about a
    classmate is ever addressed to them (no slip, no notification)."""

    __tablename__ = "committee_member"
    class_id: Mapped[str] = mapped_column(ForeignKey("school_class.id"), index=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("student.id"))
    term_start: Mapped[date]
    term_end: Mapped[date | None]
