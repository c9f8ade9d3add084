"""Early warnings: the rule sets that raise them, the warnings, and their follow-up tasks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Tracked
from app.models.fieldcrypt import ClinicalJSON, ClinicalText

STATUSES = ("raised", "confirmed", "dismissed", "resolved")


class WarningRuleSet(Tracked, Base):
    """A versioned rule set; the newest active one is used, older ones explain old warnings."""

    __tablename__ = "warning_rule_set"
    version: Mapped[int] = mapped_column(unique=True)
    rules: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(36))


class Warning(Tracked, Base):  # noqa: A001 - the domain's own word
    __tablename__ = "warning"
    student_id: Mapped[str] = mapped_column(ForeignKey("student.id"), index=True)
    level: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default="raised", index=True)
    rule_set_version: Mapped[int | None]
    rule_id: Mapped[str] = mapped_column(String(40))
    evidence: Mapped[list] = mapped_column(ClinicalJSON("warning.evidence"))
    raised_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(36))
    review_note: Mapped[str | None] = mapped_column(ClinicalText("warning.review_note"))
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(36))
    resolution_note: Mapped[str | None] = mapped_column(ClinicalText("warning.resolution_note"))
    flags: Mapped[list | None] = mapped_column(JSON)  # 需核查: validity problems of the evidence
    acknowledged_at: Mapped[datetime | None]  # the alert bar: a person saw it and said what next
    acknowledged_by: Mapped[str | None] = mapped_column(String(36))
    acknowledge_note: Mapped[str | None] = mapped_column(Text)


class WarningTask(Tracked, Base):
    """One step of a follow-up plan, with its due date."""

    __tablename__ = "warning_task"
    warning_id: Mapped[str] = mapped_column(ForeignKey("warning.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(36))
