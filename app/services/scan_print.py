"""Machine-readable answer sheets for a plan or a class, and the opaque per-vault token that
names the student in the QR code (an HMAC of the student's id under a key kept in the vault:
the paper never carries a 学籍号 or a name in its code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sqlalchemy import select

from app.errors import ValidationError
from app.i18n import _
from app.models import AssessmentPlan, SchoolClass, Student
from app.reports.definition_text import option_legend
from app.reports.scan_sheets import SheetFor, build_scan_sheets
from app.scan.layout import Payload, SheetLayout, layout
from app.services import assessments, students
from app.services.permissions import require
from app.services.vaults import OpenVault, get_setting_in, set_setting_in

KEY_SETTING = "scan_token_key"


def _key(s) -> bytes:
    """The vault's token key, made on first use."""
    key = get_setting_in(s, KEY_SETTING, None)
    if key is None:
        key = secrets.token_hex(32)
        set_setting_in(s, KEY_SETTING, key)
        s.flush()
    return bytes.fromhex(key)


def token_for(key: bytes, student_id: str) -> str:
    digest = hmac.new(key, student_id.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode()[:12]  # 60 bits: no two students alike


def tokens(vault: OpenVault) -> dict[str, str]:
    """token → student id for every student of the vault (the reader's lookup)."""
    with vault.session() as s:
        key = _key(s)
        ids = list(s.scalars(select(Student.id)))
    return {token_for(key, sid): sid for sid in ids}


def sheet_layout(defn) -> SheetLayout:
    return layout([tuple(defn.allowed_values(i)) for i in range(1, defn.item_count + 1)])


def print_scan_sheets(
    vault: OpenVault,
    scale_id: str,
    *,
    plan_id: str | None = None,
    class_id: str | None = None,
    title: str | None = None,
) -> tuple[bytes, str, SheetLayout]:
    """One sheet (all its pages) per enrolled student of the class or the plan's classes, in
    roster order; audited like every printed document."""
    from app.services.printing import _audit_print, _marking
    from app.services.student_papers import neutral_title

    require(vault.user.role, "edit_student")
    defn = assessments.scale_definition(vault, scale_id)
    class_ids: list[str] = []
    with vault.session() as s:
        if plan_id:
            plan = s.get(AssessmentPlan, plan_id)
            if plan is None:
                raise ValidationError("plan", _("This plan no longer exists."))
            if defn.id not in plan.scale_ids:
                raise ValidationError("scale", _("This scale is not in the plan."))
            class_ids = list(plan.class_ids)
        elif class_id:
            if s.get(SchoolClass, class_id) is None:
                raise ValidationError("class", _("This class no longer exists."))
            class_ids = [class_id]
        key = _key(s)
    people = []
    for cid in class_ids:
        rows = students.search_students(
            vault, students.StudentFilter(class_id=cid, status="enrolled"), sort="name"
        )
        people += [SheetFor(r.name, f"{r.grade}{r.class_name}", token_for(key, r.id)) for r in rows]
    sheet = sheet_layout(defn)
    title = title or neutral_title(vault, defn.id)
    marking, serial = _marking(vault, title)
    payload = Payload((plan_id or "")[:6], defn.id, defn.version, "", 1, sheet.pages)
    legend = "选项：" + "  ".join(option_legend(defn))
    pdf = build_scan_sheets(title, legend, sheet, people, payload, serial)
    _audit_print(
        vault,
        object_type="scale",
        detail={
            "serial": serial,
            "document": "scan_sheets",
            "scale": defn.id,
            "count": len(people),
        },
    )
    return pdf, serial, sheet
