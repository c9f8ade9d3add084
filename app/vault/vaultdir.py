"""A vault is a folder: the encrypted database and its key-slot file, side by side."""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.atomic_write import atomic_write
from app.errors import UnknownUser, VaultExists, VaultNotFound, WrongPassphrase
from app.paths import data_dir
from app.vault import keyslots, keystore
from app.vault.backoff import failure_delay
from app.vault.kdf import KdfParams
from app.vault.keyslots import SlotFile, load_slot_file, save_slot_file, seal
from app.vault.recovery import new_recovery_code, normalize_recovery_code

DB_NAME = "archive.db"
KEYS_NAME = "keys.json"


@dataclass(frozen=True)
class VaultPaths:
    root: Path

    @property
    def db(self) -> Path:
        return self.root / DB_NAME

    @property
    def keys(self) -> Path:
        return self.root / KEYS_NAME

    def exists(self) -> bool:
        return self.keys.exists() or self.db.exists()


@dataclass(frozen=True)
class Unlocked:
    """What a successful unlock yields: the data key and whose slot opened it."""

    vault_id: str
    dek: bytes
    user_id: str | None
    via: str
    failed_attempts: tuple[dict, ...]


def create_keys(
    root: Path, *, user_id: str, login: str, passphrase: str, kdf: KdfParams
) -> tuple[Unlocked, str]:
    """Make a new data key, the first user's slot and a recovery slot; returns the recovery code."""
    paths = VaultPaths(Path(root))
    if paths.exists():
        raise VaultExists(paths.root)
    paths.root.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(paths.root, 0o700)
    except OSError:
        pass
    vault_id = str(uuid.uuid4())
    dek = os.urandom(32)
    code = new_recovery_code()
    slots = SlotFile(vault_id=vault_id, slots=())
    slots = slots.with_slot(
        seal(
            vault_id,
            dek,
            passphrase.encode(),
            kind=keyslots.KIND_PASSPHRASE,
            kdf=kdf,
            user_id=user_id,
            login=login,
        )
    )
    slots = slots.with_slot(
        seal(
            vault_id,
            dek,
            normalize_recovery_code(code).encode(),
            kind=keyslots.KIND_RECOVERY,
            kdf=kdf,
        )
    )
    save_slot_file(paths.keys, slots)
    return Unlocked(vault_id, dek, user_id, "passphrase", ()), code


def read_slots(root: Path) -> SlotFile:
    paths = VaultPaths(Path(root))
    if not paths.exists():
        raise VaultNotFound(paths.root)
    return load_slot_file(paths.keys)


def unlock_with_passphrase(
    root: Path,
    passphrase: str,
    login: str | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Unlocked:
    """Open the slot of `login` (or try every user slot when no login is given).

    Each failure is recorded in the slot file and answered after a growing delay; the record is
    handed to the caller on the next success so it can be written to the audit log.
    """
    slots = read_slots(root)
    candidates = slots.user_slots()
    if login is not None:
        candidates = [s for s in candidates if s.login == login]
        if not candidates:
            raise UnknownUser(login)
    for slot in candidates:
        try:
            dek = keyslots.open_slot(slots.vault_id, slot, passphrase.encode())
        except WrongPassphrase:
            continue
        if slot.aad_version < 2:
            slots = _reseal(root, slots, slot, dek, passphrase)
        return _succeeded(root, slots, dek, slot.user_id, "passphrase")
    _record_failure(root, slots, login, sleep)
    raise WrongPassphrase()


def unlock_with_recovery(
    root: Path, code: str, *, sleep: Callable[[float], None] = time.sleep
) -> Unlocked:
    slots = read_slots(root)
    secret = normalize_recovery_code(code).encode()
    for slot in slots.slots:
        if slot.kind != keyslots.KIND_RECOVERY:
            continue
        try:
            dek = keyslots.open_slot(slots.vault_id, slot, secret)
        except WrongPassphrase:
            continue
        return _succeeded(root, slots, dek, None, "recovery")
    _record_failure(root, slots, "recovery", sleep)
    raise WrongPassphrase()


def unlock_with_keyring(root: Path, user_id: str) -> Unlocked | None:
    """Use a remembered secret if this computer's keyring still has one; None otherwise."""
    slots = read_slots(root)
    secret = keystore.load_secret(slots.vault_id, user_id)
    if secret is None:
        return None
    for slot in slots.slots:
        if slot.kind == keyslots.KIND_KEYRING and slot.user_id == user_id:
            try:
                dek = keyslots.open_slot(slots.vault_id, slot, secret)
            except WrongPassphrase:
                continue
            return _succeeded(root, slots, dek, user_id, "keyring")
    return None


def remember_on_this_computer(root: Path, unlocked: Unlocked, user_id: str) -> None:
    secret = keystore.store_secret(unlocked.vault_id, user_id)
    slots = read_slots(root).without(
        lambda s: s.kind == keyslots.KIND_KEYRING and s.user_id == user_id
    )
    slots = slots.with_slot(
        seal(
            unlocked.vault_id,
            unlocked.dek,
            secret,
            kind=keyslots.KIND_KEYRING,
            kdf=None,
            user_id=user_id,
        )
    )
    save_slot_file(VaultPaths(Path(root)).keys, slots)


def forget_on_this_computer(root: Path, user_id: str) -> None:
    slots = read_slots(root)
    keystore.forget_secret(slots.vault_id, user_id)
    slots = slots.without(lambda s: s.kind == keyslots.KIND_KEYRING and s.user_id == user_id)
    save_slot_file(VaultPaths(Path(root)).keys, slots)


def set_passphrase(
    root: Path, unlocked: Unlocked, *, user_id: str, login: str, passphrase: str, kdf: KdfParams
) -> None:
    """Replace (or add) the passphrase slot of one user; other slots are untouched."""
    slots = read_slots(root).without(
        lambda s: s.kind == keyslots.KIND_PASSPHRASE and s.user_id == user_id
    )
    slots = slots.with_slot(
        seal(
            unlocked.vault_id,
            unlocked.dek,
            passphrase.encode(),
            kind=keyslots.KIND_PASSPHRASE,
            kdf=kdf,
            user_id=user_id,
            login=login,
        )
    )
    save_slot_file(VaultPaths(Path(root)).keys, slots)


def _failures_file(vault_id: str) -> Path:
    """Kept on this computer, outside the vault: a wrong passphrase changes nothing in the vault."""
    return data_dir() / "unlock-failures" / f"{vault_id}.json"


def recorded_failures(vault_id: str) -> list[dict]:
    try:
        doc = json.loads(_failures_file(vault_id).read_text("utf-8"))
        return [d for d in doc if isinstance(d, dict)]
    except (OSError, ValueError, TypeError):
        return []


def _record_failure(root: Path, slots: SlotFile, login: str | None, sleep) -> None:
    failures = recorded_failures(slots.vault_id)
    failures.append({"at": datetime.now(UTC).isoformat(timespec="seconds"), "login": login})
    path = _failures_file(slots.vault_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(failures[-100:]).encode())
    sleep(failure_delay(len(failures)))


def _reseal(root: Path, slots: SlotFile, old: keyslots.KeySlot, dek: bytes, passphrase: str):
    """An older slot, whose login was not authenticated, is sealed again with every field
    authenticated, once, while its passphrase is at hand (one more key derivation)."""
    new = seal(
        slots.vault_id,
        dek,
        passphrase.encode(),
        kind=old.kind,
        kdf=old.kdf,
        user_id=old.user_id,
        login=old.login,
    )
    upgraded = slots.without(lambda k: k.id == old.id).with_slot(new)
    with contextlib.suppress(OSError):  # a read-only folder: keep the old slot, still valid
        save_slot_file(VaultPaths(root).keys, upgraded)
        return upgraded
    return slots


def _succeeded(root: Path, slots: SlotFile, dek: bytes, user_id: str | None, via: str) -> Unlocked:
    failures = recorded_failures(slots.vault_id)
    if failures:
        with contextlib.suppress(FileNotFoundError):
            _failures_file(slots.vault_id).unlink()
    return Unlocked(slots.vault_id, dek, user_id, via, tuple(failures))
