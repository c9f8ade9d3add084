"""Sync use cases for the UI and the CLI: enroll, sync now, status, policy, conflicts, parked items."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select, update

from app.db import audit
from app.errors import AppError
from app.i18n import _
from app.models import OutboxItem, RefItem, Student, SyncConflict, VaultSetting, utcnow
from app.services.permissions import require
from app.services.vaults import OpenVault
from app.sync import outbox, policy, schemas
from app.sync.apply import apply_student
from app.sync.credentials import Enrollment, load, save
from app.sync.runner import STATUS_KEY, SyncReport, sync_once
from app.sync.transport import (
    CertificateRejected,
    CityClient,
    HttpStatus,
    PinMismatch,
    SyncError,
    Unreachable,
)


class SyncFailed(AppError):
    """A sync error in words a counselor can act on."""


def explain(exc: SyncError) -> str:
    if isinstance(exc, CertificateRejected):
        return _("The city platform's certificate is not the trusted one; nothing was sent.")
    if isinstance(exc, Unreachable):
        return _(
            "The city platform cannot be reached; everything stays on this computer and will be sent later."
        )
    if isinstance(exc, PinMismatch):
        return _(
            "The server's certificate does not match the fingerprint from the city; nothing was sent."
        )
    if isinstance(exc, HttpStatus):
        if exc.status == 401:
            return _(
                "The city platform no longer recognises this computer; ask the district for a new enrollment code."
            )
        if exc.status == 426:
            return _("The city platform requires a newer version of XinDang.")
        if exc.status == 403:
            return _("The city platform refused the request.")
        return _(
            "The city platform answered with an error ({status}); it will be tried again later."
        ).format(status=exc.status)
    return _("The city platform sent an answer XinDang cannot accept; nothing was changed.")


def fetch_certificate(server_url: str) -> tuple[str, str]:
    """(PEM, SHA-256 fingerprint) of the certificate the server presents, for pinning."""
    parts = urlsplit(server_url)
    if parts.scheme != "https":
        raise SyncFailed(_("The city platform's address must start with https://."))
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((parts.hostname, parts.port or 443), timeout=10) as sock,
            ctx.wrap_socket(sock, server_hostname=parts.hostname) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
    except OSError as exc:
        raise SyncFailed(explain(Unreachable(str(exc)))) from exc
    return ssl.DER_cert_to_PEM_cert(der), hashlib.sha256(der).hexdigest()


def _normal_fp(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch in "0123456789abcdef")


class OtherSchool(AppError):
    """The code belongs to a school other than this archive's: asked before it is used."""

    def __init__(self, theirs: str, ours: str) -> None:
        self.theirs, self.ours = theirs, ours
        super().__init__(
            _(
                "This enrollment code belongs to “{theirs}”, but this archive is “{ours}”. "
                "Join anyway?"
            ).format(theirs=theirs, ours=ours)
        )


def _school_name(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace()).strip("（）()")


def _check_school(vault: OpenVault, doc_school: dict) -> None:
    from app.models import School

    with vault.session() as s:
        ours = s.scalars(select(School.name)).first() or ""
        before = load(s, vault.vault_id)
    if before is not None and before[0].school_code != doc_school["code"]:
        raise OtherSchool(doc_school["name"], before[0].school_name)
    if ours and _school_name(ours) != _school_name(doc_school["name"]):
        raise OtherSchool(doc_school["name"], ours)


def enroll(
    vault: OpenVault,
    server_url: str,
    code: str,
    fingerprint: str | None = None,
    device_name: str | None = None,
    *,
    allow_plain_http: bool = False,
    other_school: bool = False,
) -> Enrollment:
    """Trade the district's one-time code for this computer's credential.

    With a fingerprint the server's certificate is pinned: it must match before the code is sent.
    The code's school is looked up first (the code is not used up by that): if it is not this
    archive's school, `OtherSchool` is raised unless `other_school` says the user agreed. The
    device is named without this computer's host name; the vault's id lets the city hand this
    device the history of an earlier enrollment of the same archive (and revoke that one).
    """
    require(vault.user.role, "enroll_device")
    pin = None
    if server_url.startswith("http://") and not allow_plain_http:
        raise SyncFailed(_("The city platform's address must start with https://."))
    if fingerprint:
        pem, actual = fetch_certificate(server_url)
        if _normal_fp(fingerprint) != actual:
            raise SyncFailed(explain(PinMismatch()))
        pin = pem
    name = device_name or _("XinDang counseling-room computer")
    try:
        with CityClient(server_url, pin_pem=pin) as client:
            if not other_school:
                _status, found = client.request(
                    "POST", "/api/v1/enroll/check", json_body={"code": code.strip()}
                )
                schemas.check("enroll_check", found)
                _check_school(vault, found["school"])
            _status, doc = client.request(
                "POST",
                "/api/v1/enroll",
                json_body={
                    "code": code.strip(),
                    "device_name": name[:200],
                    "vault_id": vault.vault_id,
                },
            )
        schemas.check("enroll", doc)
    except HttpStatus as exc:
        if exc.status == 403:
            raise SyncFailed(_("The enrollment code is unknown, already used or expired.")) from exc
        raise SyncFailed(explain(exc)) from exc
    except SyncError as exc:
        text = explain(exc)
        if isinstance(exc, CertificateRejected) and not fingerprint:
            text += " " + _(
                "If the city platform uses a certificate of its own, ask the district for its "
                "fingerprint and enter it under 证书指纹 (command line: --fingerprint)."
            )
        raise SyncFailed(text) from exc
    e = Enrollment(
        server_url=server_url,
        device_id=doc["device_id"],
        school_code=doc["school"]["code"],
        school_name=doc["school"]["name"],
        pin_pem=pin,
        enrolled_at=utcnow().isoformat(),
        student_key_secret=doc["student_key_secret"],
    )
    with vault.session() as s:
        save(s, vault.vault_id, e, doc["token"])
        outbox.rekey_unsent(s, doc["student_key_secret"])
        audit.record(
            s,
            audit.SYNC_ENROLL,
            object_type="device",
            object_id=e.device_id,
            detail={"server": server_url, "school": e.school_code, "pinned": bool(pin)},
        )
    return e


def sync_now(vault: OpenVault, client: CityClient | None = None, stop=None) -> SyncReport:
    require(vault.user.role, "sync")
    try:
        report = sync_once(vault, client, stop=stop)
    except SyncError as exc:
        with vault.session() as s:
            audit.record(s, audit.SYNC, detail={"ok": False, "error": type(exc).__name__})
        raise
    with vault.session() as s:
        audit.record(
            s,
            audit.SYNC,
            detail={
                "ok": True,
                "pushed": report.pushed,
                "parked": report.parked,
                "pulled": report.pull.applied,
                "conflicts": report.pull.conflicts,
                "digests_ok": report.digests_ok,
            },
        )
    return report


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server_url: str | None
    school_name: str | None
    pinned: bool
    token_in_keyring: bool
    last_success_at: dt.datetime | None
    last_error: str | None
    pending: int
    pending_warnings: int
    parked: int
    acked: int
    conflicts: int
    digests_ok: bool | None
    audit_problem: str | None = None  # the log no longer holds the head the city received

    def age_text(self, now: dt.datetime | None = None) -> str:
        if self.last_success_at is None:
            return _("never")
        minutes = int(((now or utcnow()) - self.last_success_at).total_seconds() // 60)
        if minutes < 1:
            return _("just now")
        if minutes < 60:
            return _("{n} minutes ago").format(n=minutes)
        if minutes < 48 * 60:
            return _("{n} hours ago").format(n=minutes // 60)
        return _("{n} days ago").format(n=minutes // 1440)


def status(vault: OpenVault) -> SyncStatus:
    with vault.session() as s:
        found = load(s, vault.vault_id)
        counts = outbox.counts(s)
        warnings_pending = s.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.status == "pending", OutboxItem.entity == "warning")
        )
        conflicts = s.scalar(
            select(func.count()).select_from(SyncConflict).where(SyncConflict.resolved_at.is_(None))
        )
        row = s.get(VaultSetting, STATUS_KEY)
        st = (row.value.get("v") if row else None) or {}
    e = found[0] if found else None
    last = st.get("last_success_at")
    return SyncStatus(
        enrolled=e is not None,
        server_url=e.server_url if e else None,
        school_name=e.school_name if e else None,
        pinned=bool(e and e.pin_pem),
        token_in_keyring=bool(e and e.token_in_keyring),
        last_success_at=dt.datetime.fromisoformat(last) if last else None,
        last_error=st.get("last_error"),
        pending=counts["pending"],
        pending_warnings=warnings_pending or 0,
        parked=counts["parked"],
        acked=counts["acked"],
        conflicts=conflicts or 0,
        digests_ok=st.get("digests_ok"),
        audit_problem=st.get("audit_problem"),
    )


def rejected(vault: OpenVault) -> list[dict]:
    """What this computer set aside from the city's streams, with the reason (also told to the
    city); an item leaves the list when a corrected version arrives."""
    from app.sync.apply import rejected_items

    with vault.session() as s:
        return rejected_items(s)


@dataclass(frozen=True)
class OutboxRow:
    id: str
    entity: str
    status: str
    created_at: dt.datetime
    payload: str
    last_error: str | None


def outbox_rows(vault: OpenVault, status_: str = "pending", limit: int = 200) -> list[OutboxRow]:
    """Exactly what is (or was) sent: the stored canonical payloads, byte for byte."""
    require(vault.user.role, "sync")
    with vault.session() as s:
        items = s.scalars(
            select(OutboxItem)
            .where(OutboxItem.status == status_)
            .order_by(OutboxItem.priority, OutboxItem.seq)
            .limit(limit)
        ).all()
        return [
            OutboxRow(i.id, i.entity, i.status, i.created_at, i.payload, i.last_error)
            for i in items
        ]


def requeue_parked(vault: OpenVault) -> int:
    require(vault.user.role, "enroll_device")
    with vault.session() as s:
        n = s.execute(
            update(OutboxItem).where(OutboxItem.status == "parked").values(status="pending")
        ).rowcount
        audit.record(s, audit.UPDATE, object_type="sync_outbox", detail={"requeued": n})
        return n


def policy_rows(vault: OpenVault) -> list[policy.PolicyRow]:
    with vault.session() as s:
        return policy.describe(policy.effective_policy(s))


def set_policy(vault: OpenVault, doc: dict) -> None:
    """Admins may narrow or widen the policy; the code-level refusals still apply."""
    require(vault.user.role, "change_settings")
    if not isinstance(doc, dict) or not isinstance(doc.get("entities"), dict):
        raise SyncFailed(_("The sync policy is not valid."))
    # Kept in the current form, stamped with the default it was made from (so later defaults
    # reach it as described in app/sync/policy.py); a newer release's policy is refused.
    doc = policy.current_form(doc) | {"based_on": policy.default_policy().get("version", 1)}
    doc.pop("offered", None)  # the admin has now seen and decided every field
    with vault.session() as s:
        row = s.get(VaultSetting, policy.SETTING_KEY) or VaultSetting(
            key=policy.SETTING_KEY, value={}
        )
        row.value = {"v": doc}
        s.add(row)
        audit.record(s, audit.UPDATE, object_type="setting", detail={"key": policy.SETTING_KEY})


@dataclass(frozen=True)
class ConflictView:
    id: str
    student_no: str
    local: dict
    server: dict
    created_at: dt.datetime


def conflicts(vault: OpenVault) -> list[ConflictView]:
    require(vault.user.role, "sync")
    with vault.session() as s:
        rows = s.scalars(
            select(SyncConflict)
            .where(SyncConflict.resolved_at.is_(None))
            .order_by(SyncConflict.created_at)
        ).all()
        return [
            ConflictView(c.id, c.entity_id, dict(c.local), dict(c.server), c.created_at)
            for c in rows
        ]


def resolve_conflict(vault: OpenVault, conflict_id: str, use_server: bool) -> None:
    require(vault.user.role, "edit_student")
    with vault.session() as s:
        c = s.get(SyncConflict, conflict_id)
        if c is None or c.resolved_at is not None:
            raise SyncFailed(_("This conflict was already resolved."))
        if use_server:
            s.info[outbox.QUIET] = True
            apply_student(s, c.server)
        c.resolved_at, c.resolved_by = utcnow(), vault.user.id
        c.resolution = "server" if use_server else "local"
        audit.record(
            s,
            audit.UPDATE,
            object_type="sync_conflict",
            object_id=c.id,
            detail={"resolution": c.resolution},
        )


def transferred_archive(vault: OpenVault, student_id: str) -> dict | None:
    """The shareable part of a transferred-in student's archive at the previous school."""
    require(vault.user.role, "view_students")
    with vault.session() as s:
        st = s.get(Student, student_id)
        ref = s.get(RefItem, ("transfers", st.student_no)) if st else None
        return json.loads(json.dumps(ref.payload)) if ref and ref.payload else None
