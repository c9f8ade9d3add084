"""SQLAlchemy models only: no sessions, no queries."""

from app.models.assessment import (
    AssessmentPlan,
    AssessmentResult,
    CriticalAlert,
    DoubleEntrySheet,
    KioskSession,
    PlanParticipant,
    ScanSheet,
)
from app.models.base import Base, Tracked, new_id, utcnow
from app.models.journal import AuditEntry, ChangeLog, VaultSetting
from app.models.network import CommitteeMember, NetworkMember, WarningNotification
from app.models.record import Record, RecordParticipant, RecordVersion
from app.models.scale import ScaleDocument
from app.models.school import Grade, School, SchoolClass
from app.models.student import Guardian, Student
from app.models.sync import OutboxItem, RefItem, SyncConflict, SyncCursor
from app.models.user import User
from app.models.warning import Warning, WarningRuleSet, WarningTask

__all__ = [
    "AssessmentPlan",
    "AssessmentResult",
    "CriticalAlert",
    "DoubleEntrySheet",
    "KioskSession",
    "PlanParticipant",
    "ScanSheet",
    "AuditEntry",
    "Base",
    "ChangeLog",
    "CommitteeMember",
    "Grade",
    "Guardian",
    "School",
    "SchoolClass",
    "Student",
    "Tracked",
    "User",
    "VaultSetting",
    "Warning",
    "WarningRuleSet",
    "WarningNotification",
    "WarningTask",
    "NetworkMember",
    "OutboxItem",
    "RefItem",
    "SyncConflict",
    "SyncCursor",
    "Record",
    "RecordParticipant",
    "RecordVersion",
    "ScaleDocument",
    "new_id",
    "utcnow",
]
