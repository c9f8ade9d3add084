"""The four-level network (principal – counselor – head teacher – student/committee, plus
guardians): who is responsible, who was told, and the minimal-disclosure slip each role gets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.db import audit
from app.errors import ValidationError
from app.i18n import N_, _
from app.models import Guardian, NetworkMember, Student, Warning, WarningNotification, utcnow
from app.risk.levels import status_name
from app.services.permissions import require
from app.services.vaults import OpenVault

ROLE_LABELS = {
    "principal": N_("Principal"),
    "counselor": N_("Counselor"),
    "head_teacher": N_("Head teacher"),
    "committee": N_("Class mental-health committee member"),
    "guardian": N_("Guardian"),
}
METHODS = {
    "phone": N_("Phone call"),
    "meeting": N_("Meeting"),
    "written": N_("Written notice"),
    "message": N_("Message"),
}
# Who may be told about a warning (never the 心理委员, who is a student).
NOTIFIED = ("principal", "counselor", "head_teacher", "guardian")
# What each role's slip may carry. Never: scores, bands, scale names, evidence, notes; and for
# the head teacher and the guardians not even the level: what to do and whom to call. No slip is
# addressed to a student: the 心理委员 reports to the counselor, never receives a classmate's risk.
SLIP_FIELDS = {
    "principal": ("student", "class", "level", "status", "actions", "counselor"),
    "head_teacher": ("student", "class", "actions", "counselor"),
    "guardian": ("student", "actions", "counselor"),
    "counselor": ("student", "class", "level", "status", "actions"),
}


@dataclass(frozen=True)
class Contact:
    role: str
    name: str
    phone: str | None
    level: str  # school / class / student / roster


def set_contact(
    vault: OpenVault,
    role: str,
    name: str,
    phone: str | None = None,
    *,
    class_id: str | None = None,
    student_id: str | None = None,
) -> None:
    """Set (replace) the responsible person for a role at school, class or student level."""
    require(vault.user.role, "edit_student")
    if role not in ROLE_LABELS or role == "guardian":
        raise ValidationError(
            "role", _("Guardians come from the roster; edit them on the archive page.")
        )
    if not name.strip():
        raise ValidationError("name", _("Please enter a name."))
    with vault.session() as s:
        same = select(NetworkMember).where(  # `== None` renders IS NULL for the school level
            NetworkMember.role == role,
            NetworkMember.class_id == class_id,
            NetworkMember.student_id == student_id,
            NetworkMember.active.is_(True),
        )
        for old in s.scalars(same):
            old.active = False
        s.add(
            NetworkMember(
                role=role, name=name.strip(), phone=phone, class_id=class_id, student_id=student_id
            )
        )
        audit.record(s, audit.UPDATE, object_type="network", detail={"role": role})


def network_for(vault: OpenVault, student_id: str) -> list[Contact]:
    """The most specific person per role (student over class over school), then the guardians."""
    require(vault.user.role, "view_students")
    with vault.session() as s:
        st = s.get(Student, student_id)
        members = s.scalars(select(NetworkMember).where(NetworkMember.active.is_(True))).all()
        out = []
        for role in ("principal", "counselor", "head_teacher", "committee"):
            candidates = [
                (m, "student") for m in members if m.role == role and m.student_id == student_id
            ]
            candidates += [
                (m, "class")
                for m in members
                if m.role == role
                and m.class_id == st.class_id
                and m.student_id is None
                and st.class_id
            ]
            candidates += [
                (m, "school")
                for m in members
                if m.role == role and m.class_id is None and m.student_id is None
            ]
            if candidates:
                m, level = candidates[0]
                out.append(Contact(role, m.name, m.phone, level))
        for g in s.scalars(
            select(Guardian).where(Guardian.student_id == student_id, Guardian.active.is_(True))
        ):
            out.append(Contact("guardian", f"{g.name}（{g.relation or ''}）", g.phone, "roster"))
        return out


def notify(
    vault: OpenVault,
    warning_id: str,
    role: str,
    person_name: str,
    method: str,
    at: dt.datetime | None = None,
) -> None:
    """Record that someone in the network was told: who, when, how, and by whom."""
    require(vault.user.role, "view_diagnosis")
    if role == "committee":
        raise ValidationError(
            "role", _("A committee member is a student and is never told about a classmate.")
        )
    if role not in ROLE_LABELS or method not in METHODS:
        raise ValidationError("notification", _("Unknown role or method."))
    with vault.session() as s:
        n = WarningNotification(
            warning_id=warning_id,
            role=role,
            person_name=person_name,
            method=method,
            notified_at=at or utcnow(),
            notified_by=vault.user.id,
        )
        s.add(n)
        s.flush()
        audit.record(
            s,
            audit.CREATE,
            object_type="warning_notification",
            object_id=n.id,
            detail={"role": role},
        )


@dataclass(frozen=True)
class NotificationRow:
    role: str
    person_name: str
    method: str
    notified_at: dt.datetime
    notified_by: str | None


def notifications(vault: OpenVault, warning_id: str) -> list[NotificationRow]:
    with vault.session() as s:
        rows = s.scalars(
            select(WarningNotification)
            .where(WarningNotification.warning_id == warning_id)
            .order_by(WarningNotification.notified_at)
        )
        return [
            NotificationRow(n.role, n.person_name, n.method, n.notified_at, n.notified_by)
            for n in rows
        ]


def slip(vault: OpenVault, warning_id: str, role: str) -> dict:
    """The minimal-disclosure slip for one role (the reports issue prints it)."""
    require(vault.user.role, "view_diagnosis")
    from app.services.students import student_archive

    if role not in SLIP_FIELDS:
        raise ValidationError("role", _("Slips are not addressed to students."))
    with vault.session() as s:
        w = s.get(Warning, warning_id)
    if w.status != "confirmed":
        raise ValidationError(
            "status", _("Slips can only be printed for warnings confirmed after an interview.")
        )
    archive = student_archive(vault, w.student_id)
    counselor = next((c for c in network_for(vault, w.student_id) if c.role == "counselor"), None)
    actions = {
        "red": _("Do not leave the student alone; contact the counselor at once."),
        "orange": _("Watch closely and report any change to the counselor the same day."),
        "yellow": _("Pay attention to mood and behaviour; report changes to the counselor."),
        "watch": _("Routine attention."),
    }[w.level]
    full = {
        "student": archive.row.name,
        "class": f"{archive.row.grade}{archive.row.class_name}",
        "level": w.level,
        "status": status_name(w.status),
        "actions": actions,
        "counselor": f"{counselor.name} {counselor.phone or ''}".strip()
        if counselor
        else vault.user.display_name,
    }
    return {k: full[k] for k in SLIP_FIELDS[role]}
