"""The first-run checklist on a new archive's home page: the four things a school does before
the archive is of use — import the roster, set the four-level network, choose a backup folder,
join the city platform — each ticked by the archive's own state, never by a click on the list."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.i18n import N_, _
from app.models import NetworkMember, Student
from app.services.vaults import OpenVault, get_setting_in

STEPS = (
    ("roster", N_("Import the roster"), "students"),
    ("network", N_("Set the four-level network (principal and counselor at least)"), "settings"),
    ("backup", N_("Choose a backup folder"), "settings"),
    ("city", N_("Join the city platform"), "sync"),
)


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    done: bool
    section: str  # the page where it is done


def checklist(vault: OpenVault) -> list[Step]:
    with vault.reading() as s:
        students = s.scalar(select(func.count()).select_from(Student)) or 0
        roles = set(
            s.scalars(
                select(NetworkMember.role).where(
                    NetworkMember.active.is_(True),
                    NetworkMember.class_id.is_(None),
                    NetworkMember.student_id.is_(None),
                )
            )
        )
        done = {
            "roster": students > 0,
            "network": {"principal", "counselor"} <= roles,
            "backup": bool(get_setting_in(s, "backup_folder", None)),
            "city": get_setting_in(s, "sync_enrollment", None) is not None,
        }
    return [Step(key, _(label), done[key], section) for key, label, section in STEPS]


def finished(steps: list[Step]) -> bool:
    return all(step.done for step in steps)
