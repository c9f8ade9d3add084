"""Who may do what. The UI hides what a role cannot do; the services refuse it regardless."""

from __future__ import annotations

from app.errors import PermissionDenied
from app.i18n import N_, _

ADMIN, COUNSELOR, VIEWER = "admin", "counselor", "viewer"
ROLE_LABELS = {
    ADMIN: N_("Counseling lead (admin)"),
    COUNSELOR: N_("Counselor"),
    VIEWER: N_("Principal (read-only)"),
}

_ACTIONS: dict[str, tuple[set[str], str]] = {
    "manage_users": ({ADMIN}, N_("manage users")),
    "import_roster": ({ADMIN}, N_("import the roster")),
    "edit_student": ({ADMIN, COUNSELOR}, N_("edit student records")),
    "view_diagnosis": ({ADMIN, COUNSELOR}, N_("see counselor-only notes")),
    "view_students": ({ADMIN, COUNSELOR, VIEWER}, N_("view students")),
    "change_settings": ({ADMIN}, N_("change vault settings")),
    "sync": ({ADMIN, COUNSELOR}, N_("sync with the city platform")),
    "backup": ({ADMIN, COUNSELOR}, N_("make backups")),
    "enroll_device": ({ADMIN}, N_("connect this computer to the city platform")),
}


def allowed(role: str, action: str) -> bool:
    return role in _ACTIONS[action][0]


def require(role: str, action: str) -> None:
    if not allowed(role, action):
        raise PermissionDenied(_(_ACTIONS[action][1]))
