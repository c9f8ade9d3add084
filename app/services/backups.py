"""Encrypted backups that are proven to open, and restores that never overwrite silently.

A backup is a folder `xindang-backup-<vault>-<time>` holding a consistent encrypted copy of the
database (sqlcipher_export, same key), a copy of the key file (so the same passphrases and the
recovery code open it) and a manifest. It is verified after writing: every page authenticates,
the b-trees are sound, the audit chain verifies and the counts match the manifest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from app import __version__
from app.atomic_write import atomic_write
from app.db import audit, open_database
from app.db.copies import (
    export_on,
    first_key_that_opens,
    fsync_dir,
    fsync_file,
    integrity_problems,
)
from app.db.migrate import current_revision
from app.db.wipe import wipes_keys_it_opens
from app.errors import AppError
from app.i18n import _
from app.models import Student, User, VaultSetting, utcnow
from app.services.permissions import require
from app.services.vaults import OpenVault, write_anchor
from app.storage_errors import DiskFull, FolderReadOnly, needed_mb, storage_error
from app.vault import vaultdir
from app.vault.vaultdir import DB_NAME, KEYS_NAME, VaultPaths

PREFIX = "xindang-backup-"
MANIFEST = "manifest.json"
DEFAULT_KEEP = 10
DEFAULT_EVERY_DAYS = 7

log = logging.getLogger(__name__)


class BackupFailed(AppError):
    pass


class RestoreRefused(AppError):
    pass


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    vault_id: str
    created_at: str
    students: int
    audit_entries: int


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _counts(db, audit_key: bytes) -> tuple[int, audit.ChainReport, str | None]:
    with db.session(None, audit_key) as s:
        students = s.scalar(select(func.count()).select_from(Student))
        chain = audit.verify(s)
    return students, chain, current_revision(db)


def _check_copy(folder: Path, db_key: bytes, audit_key: bytes, manifest: dict | None) -> dict:
    """Open the copy read-only in spirit, prove it, and return what was found."""
    db_path = folder / DB_NAME
    if integrity_problems(db_path, db_key, quick=False):
        raise BackupFailed(_("The backup failed its integrity check."))
    db = open_database(db_path, db_key)
    try:
        students, chain, revision = _counts(db, audit_key)
    finally:
        db.dispose()
    if not chain.ok:
        raise BackupFailed(_("The backup's audit log does not verify."))
    found = {
        "students": students,
        "audit_entries": chain.entries,
        "audit_head": chain.head,
        "schema": revision,
    }
    if manifest is not None:
        for k in ("students", "audit_entries", "audit_head"):
            if manifest.get(k) != found[k]:
                raise BackupFailed(_("The backup does not match its manifest."))
        for name in (DB_NAME, KEYS_NAME):
            if manifest["sha256"].get(name) != _sha256(folder / name):
                raise BackupFailed(_("A file of the backup has changed since it was written."))
    return found


def backup(
    vault: OpenVault,
    folder: Path,
    *,
    keep: int = DEFAULT_KEEP,
    progress: Callable[[int, int, str], None] | None = None,
) -> BackupInfo:
    """Write, fsync and verify a backup into `folder` (a USB drive, say); keep the newest `keep`.

    `progress(step, 4, words)` is called between the steps (copy, key file, verify, manifest);
    it may raise `Cancelled`, and then nothing is left behind but the backups that were there."""
    require(vault.user.role, "backup")
    report = progress or (lambda *_a: None)
    folder = Path(folder)
    try:
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True)
    except OSError as exc:
        raise BackupFailed(
            _("The backup folder cannot be used: {error}").format(error=exc)
        ) from exc
    stamp = utcnow().strftime("%Y%m%d-%H%M%S-%f")
    dest = folder / f"{PREFIX}{vault.vault_id[:8]}-{stamp}"
    partial = dest.with_name(dest.name + ".partial")
    try:
        partial.mkdir(mode=0o700)
        key = vault.database_key()
        report(0, 4, _("copying the archive"))
        with vault.db.raw() as conn:
            export_on(conn, partial / DB_NAME)
        report(1, 4, _("copying the key file"))
        atomic_write(partial / KEYS_NAME, VaultPaths(vault.root).keys.read_bytes())
        report(2, 4, _("checking the copy"))
        found = _check_copy(partial, key, vault._audit_key, None)
        report(3, 4, _("writing the manifest"))
        manifest = {
            "format": "xindang-backup",
            "version": 1,
            "vault_id": vault.vault_id,
            "created_at": utcnow().isoformat() + "Z",
            "app_version": __version__,
            "sha256": {n: _sha256(partial / n) for n in (DB_NAME, KEYS_NAME)},
        } | found
        atomic_write(partial / MANIFEST, json.dumps(manifest, indent=1).encode())
        os.replace(partial, dest)
        fsync_dir(folder)
    except BaseException as exc:
        shutil.rmtree(partial, ignore_errors=True)
        fault = storage_error(exc, folder) if isinstance(exc, Exception) else None
        if fault is not None:
            if isinstance(fault, DiskFull):  # the backup needs the database's size there
                fault = DiskFull(needed_mb(vault.root))
            if isinstance(fault, FolderReadOnly):
                fault = FolderReadOnly(str(folder), backup=True)
            raise fault from exc
        raise
    _prune(folder, vault.vault_id, keep)
    log.info("backup written and verified: %s", dest.name)
    with vault.session() as s:
        audit.record(
            s,
            audit.BACKUP,
            object_type="vault",
            object_id=vault.vault_id,
            detail={"backup": dest.name, "verified": True},
        )
        row = s.get(VaultSetting, "last_backup_at") or VaultSetting(key="last_backup_at", value={})
        row.value = {"v": manifest["created_at"]}
        s.add(row)
    write_anchor(vault)
    return BackupInfo(
        dest, vault.vault_id, manifest["created_at"], found["students"], found["audit_entries"]
    )


def list_backups(folder: Path, vault_id: str | None = None) -> list[BackupInfo]:
    out = []
    for path in sorted(Path(folder).glob(f"{PREFIX}*")):
        if path.suffix == ".partial" or not (path / MANIFEST).exists():
            continue
        try:
            m = json.loads((path / MANIFEST).read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if vault_id is None or m.get("vault_id") == vault_id:
            out.append(
                BackupInfo(path, m["vault_id"], m["created_at"], m["students"], m["audit_entries"])
            )
    return sorted(out, key=lambda b: b.created_at)


def _prune(folder: Path, vault_id: str, keep: int) -> None:
    for old in list_backups(folder, vault_id)[:-keep] if keep > 0 else []:
        shutil.rmtree(old.path, ignore_errors=True)


def backup_due(vault: OpenVault, today: dt.datetime | None = None) -> bool:
    from app.services.vaults import get_setting

    folder = get_setting(vault, "backup_folder", None)
    if not folder:
        return False
    last = get_setting(vault, "last_backup_at", None)
    every = int(get_setting(vault, "backup_every_days", DEFAULT_EVERY_DAYS))
    if last is None:
        return True
    when = dt.datetime.fromisoformat(last.rstrip("Z"))
    return (today or utcnow()) - when >= dt.timedelta(days=every)


@wipes_keys_it_opens
def verify_backup(path: Path, passphrase: str, login: str | None = None) -> dict:
    """Prove a backup with a passphrase (or recovery code) valid for it; returns its manifest."""
    path = Path(path)
    try:
        manifest = json.loads((path / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupFailed(_("This folder is not a XinDang backup.")) from exc
    unlocked = _unlock_copy(path, passphrase, login)
    candidates = [(g.state, g.db_key) for g in unlocked.generations(vaultdir.read_slots(path))]
    found = first_key_that_opens(path / DB_NAME, candidates)
    if found is None:
        raise BackupFailed(_("The backup's database does not match its key file."))
    _check_copy(path, found[1], audit.derive_audit_key(unlocked.dek), manifest)
    return manifest


def _unlock_copy(path: Path, secret: str, login: str | None):
    from app.errors import WrongPassphrase

    try:
        return vaultdir.unlock_with_passphrase(path, secret, login, sleep=lambda _s: None)
    except WrongPassphrase:
        return vaultdir.unlock_with_recovery(path, secret, sleep=lambda _s: None)


@wipes_keys_it_opens
def restore(
    backup_path: Path,
    target: Path,
    passphrase: str,
    login: str | None = None,
    *,
    other_vault: bool = False,
) -> Path | None:
    """Put a verified backup in place. What was there is moved aside, never deleted; a backup of
    a different vault is refused unless `other_vault` is given. Returns where the old files went."""
    from app.db.engine import open_here
    from app.errors import VaultInUse

    manifest = verify_backup(backup_path, passphrase, login)
    target = Path(target)
    paths = VaultPaths(target)
    if open_here(paths.db):
        raise VaultInUse()  # lock it first: its files are about to be moved aside
    current_id = None
    with contextlib.suppress(Exception):
        current_id = vaultdir.read_slots(target).vault_id
    if paths.exists() and current_id != manifest["vault_id"] and not other_vault:
        raise RestoreRefused(
            _("This backup belongs to a different archive; confirm to replace it.")
        )
    before = _RolledBack(by="", users=frozenset(), entries=None, head=None)
    if paths.exists() and current_id == manifest["vault_id"]:
        before = _authorize_restore(target, Path(backup_path), passphrase, login)
    aside = None
    target.mkdir(parents=True, exist_ok=True)
    existing = [
        p
        for p in (paths.db, paths.keys, Path(f"{paths.db}-wal"), Path(f"{paths.db}-shm"))
        if p.exists()
    ]
    if existing:
        aside = target / f"before-restore-{utcnow().strftime('%Y%m%d-%H%M%S')}"
        aside.mkdir(mode=0o700)
        for p in existing:
            os.replace(p, aside / p.name)
        fsync_dir(aside)
    for name in (KEYS_NAME, DB_NAME):
        tmp = target / (name + ".restoring")
        shutil.copyfile(Path(backup_path) / name, tmp)
        os.chmod(tmp, 0o600)
        fsync_file(tmp)
        os.replace(tmp, target / name)
    fsync_dir(target)
    from app.services import vaults

    opened = vaults.open_unlocked(target, _unlock_copy(target, passphrase, login))
    try:
        # Users removed since the backup stay removed: the backup must not bring them back.
        returning = set(vaultdir.read_slots(target).logins()) - before.users if before.by else set()
        with opened.session() as s:
            for user in s.scalars(select(User).where(User.login.in_(returning))):
                user.active = False
                audit.record(s, audit.USER_REMOVED, object_type="user", object_id=user.id)
            if returning:
                ids = {u.id for u in s.scalars(select(User).where(User.login.in_(returning)))}
                slots = vaultdir.read_slots(target).without(lambda k: k.user_id in ids)
                vaultdir.save_slot_file(paths.keys, slots)
            audit.record(
                s,
                audit.RESTORE,
                object_type="vault",
                object_id=manifest["vault_id"],
                detail={
                    "backup": Path(backup_path).name,
                    "created_at": manifest["created_at"],
                    "by": before.by,
                    "rolled_back_entries": (
                        None
                        if before.entries is None
                        else before.entries - manifest["audit_entries"]
                    ),
                    "previous_head": before.head,
                    "previous_entries": before.entries,
                    "kept_removed": sorted(returning),
                },
            )
    finally:
        opened.lock()
    return aside


@dataclass(frozen=True)
class _RolledBack:
    """The live archive as it was before a restore: who restored, its users, its audit."""

    by: str
    users: frozenset[str]
    entries: int | None
    head: str | None


def _authorize_restore(target: Path, backup: Path, secret: str, login: str | None) -> _RolledBack:
    """Only someone who holds the *current* archive may roll it back: an admin of it (checked
    against its own key file and database), or its recovery code. A viewer, a counselor or a user
    removed since the backup is refused whatever the backup says. When the live database is
    too damaged to open, a current user's slot must open and the backup must show them as admin."""
    from app.errors import UnknownUser, VaultDamaged, WrongPassphrase
    from app.services import vaults
    from app.services.permissions import ADMIN

    users = frozenset(vaultdir.read_slots(target).logins())
    refused = RestoreRefused(
        _(
            "Only an administrator of the current archive, or its recovery code, can restore over it."
        )
    )
    try:
        unlocked = vaultdir.unlock_with_passphrase(target, secret, login)
    except (WrongPassphrase, UnknownUser):
        try:
            vaultdir.unlock_with_recovery(target, secret)
        except WrongPassphrase:
            raise refused from None
        return _RolledBack(by=_("recovery code"), users=users, entries=None, head=None)
    try:
        current = vaults.open_unlocked(target, unlocked)
    except VaultDamaged:
        if _role_in_backup(backup, secret, login) != ADMIN:
            raise refused from None
        return _RolledBack(by=login or "", users=users, entries=None, head=None)
    try:
        if current.user.role != ADMIN:
            raise refused
        with current.session() as s:
            chain = audit.verify(s)
        return _RolledBack(
            by=current.user.login, users=users, entries=chain.entries, head=chain.head
        )
    finally:
        current.lock()


def _role_in_backup(backup: Path, secret: str, login: str | None) -> str | None:
    unlocked = _unlock_copy(backup, secret, login)
    found = first_key_that_opens(
        backup / DB_NAME,
        [(g.state, g.db_key) for g in unlocked.generations(vaultdir.read_slots(backup))],
    )
    if found is None or unlocked.user_id is None:
        return None
    db = open_database(backup / DB_NAME, found[1])
    try:
        with db.session(None, audit.derive_audit_key(unlocked.dek)) as s:
            user = s.get(User, unlocked.user_id)
            return user.role if user is not None and user.active else None
    finally:
        db.dispose()
