"""The organisation tree, devices and enrollment: the server side of who is who."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.models import Device, EnrollmentCode, Org, now

LEVELS = ("city", "district", "school")
_PARENT = {"city": None, "district": "city", "school": "district"}


class AdminError(Exception):
    """A refused admin or enrollment action; the message is shown as is."""


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def add_org(s: Session, level: str, code: str, name: str, parent_code: str | None = None) -> Org:
    if level not in LEVELS:
        raise AdminError(f"unknown level {level!r}")
    if s.scalar(select(Org).where(Org.code == code)):
        raise AdminError(f"code {code!r} already exists")
    parent = None
    if _PARENT[level]:
        parent = s.scalar(select(Org).where(Org.code == parent_code)) if parent_code else None
        if parent is None or parent.level != _PARENT[level]:
            raise AdminError(f"a {level} needs a {_PARENT[level]} as parent")
    org = Org(level=level, code=code, name=name, parent_id=parent.id if parent else None)
    s.add(org)
    s.flush()
    return org


def get_org(s: Session, code: str, level: str | None = None) -> Org:
    org = s.scalar(select(Org).where(Org.code == code))
    if org is None or (level and org.level != level):
        raise AdminError(f"no {level or 'organisation'} with code {code!r}")
    return org


def issue_code(s: Session, school_code: str, hours: int = 72) -> str:
    """Returns the code once; the server keeps only its hash."""
    school = get_org(s, school_code, "school")
    code = "-".join(secrets.token_hex(2).upper() for _ in range(4))
    s.add(
        EnrollmentCode(
            code_hash=sha256_hex(code.replace("-", "").upper()),
            school_id=school.id,
            expires_at=now() + timedelta(hours=hours),
        )
    )
    return code


def enroll(
    s: Session, code: str, device_name: str, vault_id: str | None = None
) -> tuple[Device, str, int]:
    """Trade a one-time code for a per-device credential (returned once, stored hashed).

    A computer enrolled again for the same vault (same school) takes over its predecessor:
    the old credential is revoked and the submissions it sent become this device's, so they
    stay acknowledged and their resends get their receipts."""
    from sqlalchemy import update

    from cloud.models import Submission

    row = s.get(
        EnrollmentCode, sha256_hex(code.replace("-", "").strip().upper()), with_for_update=True
    )
    if row is None or row.used_at is not None or row.expires_at < now():
        raise AdminError("enrollment code unknown, used or expired")
    secret = secrets.token_urlsafe(32)
    device = Device(
        school_id=row.school_id,
        name=device_name[:200],
        token_hash=sha256_hex(secret),
        vault_id=vault_id,
    )
    s.add(device)
    s.flush()
    if vault_id:
        before = list(
            s.scalars(
                select(Device.id).where(
                    Device.vault_id == vault_id,
                    Device.school_id == row.school_id,
                    Device.id != device.id,
                )
            )
        )
        if before:
            s.execute(
                update(Device)
                .where(Device.id.in_(before), Device.revoked_at.is_(None))
                .values(revoked_at=now())
            )
            s.execute(
                update(Submission)
                .where(Submission.device_id.in_(before))
                .values(device_id=device.id)
            )
    row.used_at = now()
    row.device_id = device.id
    return device, f"{device.id}:{secret}", len(before) if vault_id else 0


def code_school(s: Session, code: str) -> Org:
    row = s.get(EnrollmentCode, sha256_hex(code.replace("-", "").strip().upper()))
    if row is None or row.used_at is not None or row.expires_at < now():
        raise AdminError("enrollment code unknown, used or expired")
    return s.get(Org, row.school_id)


def authenticate(s: Session, token: str) -> Device | None:
    device_id, _, secret = token.partition(":")
    if not secret or len(device_id) != 36:
        return None
    device = s.get(Device, device_id)
    if device is None or device.revoked_at is not None:
        return None
    if not hmac.compare_digest(device.token_hash, sha256_hex(secret)):
        return None
    return device


def revoke(s: Session, device_id: str) -> None:
    device = s.get(Device, device_id)
    if device is None:
        raise AdminError(f"no device {device_id}")
    device.revoked_at = now()


def lineage(s: Session, org_id: str) -> list[Org]:
    """The school, its district and its city, nearest first."""
    out = []
    org = s.get(Org, org_id)
    while org is not None:
        out.append(org)
        org = s.get(Org, org.parent_id) if org.parent_id else None
    return out
