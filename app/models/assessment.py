"""Assessments: plans (the unified semester assessment), results, kiosk sessions, critical alerts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Tracked
from app.models.fieldcrypt import ClinicalJSON, ClinicalText

MODES = ("kiosk", "paper", "import", "scan")


class AssessmentPlan(Tracked, Base):
    """A battery of scales for some classes within a date window, with the consent record."""

    __tablename__ = "assessment_plan"
    name: Mapped[str] = mapped_column(String(120))
    scale_ids: Mapped[list] = mapped_column(JSON)
    class_ids: Mapped[list] = mapped_column(JSON)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    consent_method: Mapped[str | None] = mapped_column(String(60))
    consent_note: Mapped[str | None] = mapped_column(Text)
    consent_recorded_at: Mapped[datetime | None]
    consent_recorded_by: Mapped[str | None] = mapped_column(String(36))


class PlanParticipant(Tracked, Base):
    """A plan's student who did not take it, and why: absent, refused or opted out (who
    recorded it and when live here and in the audit log); `state` None once they did."""

    __tablename__ = "plan_participant"
    __table_args__ = (
        UniqueConstraint("plan_id", "student_id", name="uq_plan_participant_student"),
    )
    plan_id: Mapped[str] = mapped_column(ForeignKey("assessment_plan.id"), index=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("student.id"))
    state: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(ClinicalText("plan_participant.note"))
    recorded_by: Mapped[str | None] = mapped_column(String(36))


class AssessmentResult(Tracked, Base):
    """One scored answer sheet. Raw answers are kept so it can always be re-scored."""

    __tablename__ = "assessment_result"
    student_id: Mapped[str] = mapped_column(ForeignKey("student.id"), index=True)
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("assessment_plan.id"), index=True)
    scale_id: Mapped[str] = mapped_column(String(20), index=True)
    scale_version: Mapped[str] = mapped_column(String(20))
    engine_version: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(10))
    administered_at: Mapped[datetime]
    answers: Mapped[list] = mapped_column(ClinicalJSON("assessment_result.answers"))
    seconds: Mapped[list | None] = mapped_column(ClinicalJSON("assessment_result.seconds"))
    total: Mapped[float | None]
    standard_score: Mapped[float | None]
    band_id: Mapped[str | None] = mapped_column(String(40))
    band_label: Mapped[str | None] = mapped_column(String(80))
    scores: Mapped[dict] = mapped_column(JSON)
    subscales: Mapped[dict] = mapped_column(JSON)
    norm_t: Mapped[dict | None] = mapped_column(JSON)
    critical_items: Mapped[list] = mapped_column(JSON)
    valid: Mapped[bool]
    flags: Mapped[list] = mapped_column(JSON)
    missing_items: Mapped[list | None] = mapped_column(JSON)  # items left blank, by number
    entered_by: Mapped[str | None] = mapped_column(String(36))
    verified_by: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(12), default="final")
    supersedes_id: Mapped[str | None] = mapped_column(String(36))


class DoubleEntrySheet(Tracked, Base):
    """One paper sheet typed twice (REDCap-style double data entry): each pass kept apart with
    who typed it and when, the values chosen where they differ, and the result once reconciled.
    Nothing reaches `assessment_result` before then; critical answers alert from either pass."""

    __tablename__ = "double_entry_sheet"
    student_id: Mapped[str] = mapped_column(ForeignKey("student.id"), index=True)
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("assessment_plan.id"), index=True)
    scale_id: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open / reconciled / void
    first_answers: Mapped[list] = mapped_column(ClinicalJSON("double_entry_sheet.first_answers"))
    first_by: Mapped[str] = mapped_column(String(36))
    first_at: Mapped[datetime]
    second_answers: Mapped[list | None] = mapped_column(
        ClinicalJSON("double_entry_sheet.second_answers")
    )
    second_by: Mapped[str | None] = mapped_column(String(36))
    second_at: Mapped[datetime | None]
    same_user_reason: Mapped[str | None] = mapped_column(Text)  # the audited override
    # item number (as text) → the value chosen on reconciliation (first, second or a third)
    chosen: Mapped[dict | None] = mapped_column(
        ClinicalJSON("double_entry_sheet.chosen", shape=dict)
    )
    mismatches: Mapped[int | None]  # items the passes disagreed on, for the agreement figure
    reconciled_by: Mapped[str | None] = mapped_column(String(36))
    reconciled_at: Mapped[datetime | None]
    result_id: Mapped[str | None] = mapped_column(String(36))


class ScanSheet(Tracked, Base):
    """One student's answer sheet read from scans: what was read per item, the cut-outs of the
    items a person must confirm, and the result once reviewed. Nothing reaches the archive
    unreviewed; a critical mark alerts at once. Page images are kept (encrypted) only if the
    school chose to."""

    __tablename__ = "scan_sheet"
    student_id: Mapped[str] = mapped_column(ForeignKey("student.id"), index=True)
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("assessment_plan.id"))
    scale_id: Mapped[str] = mapped_column(String(20))
    scale_version: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="review")  # review/ready/accepted
    source: Mapped[str] = mapped_column(ClinicalText("scan_sheet.source"))  # file and page(s)
    answers: Mapped[list] = mapped_column(ClinicalJSON("scan_sheet.answers"))
    items: Mapped[list] = mapped_column(ClinicalJSON("scan_sheet.items"))  # to confirm
    crops: Mapped[dict | None] = mapped_column(ClinicalJSON("scan_sheet.crops", shape=dict))
    pages: Mapped[dict | None] = mapped_column(ClinicalJSON("scan_sheet.pages", shape=dict))
    result_id: Mapped[str | None] = mapped_column(String(36))
    reviewed_by: Mapped[str | None] = mapped_column(String(36))
    reviewed_at: Mapped[datetime | None]


class KioskSession(Tracked, Base):
    """A student's on-screen session; every answer lands here the moment it is given."""

    __tablename__ = "kiosk_session"
    student_id: Mapped[str] = mapped_column(ForeignKey("student.id"), index=True)
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("assessment_plan.id"))
    scale_ids: Mapped[list] = mapped_column(JSON)
    # scale id → list of answers (None = not yet)
    answers: Mapped[dict] = mapped_column(ClinicalJSON("kiosk_session.answers", shape=dict))
    # scale id → list of seconds per item
    seconds: Mapped[dict] = mapped_column(ClinicalJSON("kiosk_session.seconds", shape=dict))
    position: Mapped[list] = mapped_column(JSON)  # [scale index, item index]
    status: Mapped[str] = mapped_column(String(12), default="open")  # open / finished / abandoned
    started_by: Mapped[str | None] = mapped_column(String(36))
    finished_at: Mapped[datetime | None]


class CriticalAlert(Tracked, Base):
    """Raised the moment a critical answer is stored, before any result exists; never lost."""

    __tablename__ = "critical_alert"
    student_id: Mapped[str] = mapped_column(ForeignKey("student.id"), index=True)
    scale_id: Mapped[str] = mapped_column(String(20))
    item: Mapped[int]
    answer: Mapped[int]
    official: Mapped[bool]
    source: Mapped[str] = mapped_column(String(12))  # kiosk / paper / import
    source_id: Mapped[str | None] = mapped_column(String(36))  # kiosk session or result id
    result_id: Mapped[str | None] = mapped_column(String(36))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(36))
    acknowledge_note: Mapped[str | None] = mapped_column(Text)
