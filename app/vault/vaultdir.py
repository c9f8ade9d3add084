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
from app.db.wipe import hold, wipe
from app.errors import UnknownUser, VaultExists, VaultNotFound, WrongPassphrase
from app.paths import data_dir
from app.vault import keyslots, keystore, recipients
from app.vault.backoff import failure_delay
from app.vault.kdf import KdfParams
from app.vault.keyslots import (
    SECRET_CLINICAL,
    SECRET_DB,
    SECRET_VAULT,
    SlotFile,
    load_slot_file,
    save_slot_file,
    seal,
    seal_secret,
)
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
    """What a successful unlock yields: the vault key, the opener's private key and whose slot
    opened it. `private` is None for a legacy slot (written before recipients existed)."""

    vault_id: str
    dek: bytes  # the vault key (audit and anchor MACs; legacy vaults: the database key too)
    user_id: str | None
    via: str
    failed_attempts: tuple[dict, ...]
    private: bytes | None = None
    recipient: str | None = None

    def generations(self, slots: SlotFile) -> list[keyslots.Generation]:
        return slots.generations(self.dek, self.recipient, self.private)


def _identity_slot(
    vault_id: str,
    private: bytes,
    secret: bytes,
    *,
    kind: str,
    kdf: KdfParams | None,
    user_id: str | None = None,
    login: str | None = None,
) -> keyslots.KeySlot:
    return seal(
        vault_id,
        private,
        secret,
        kind=kind,
        kdf=kdf,
        user_id=user_id,
        login=login,
        public=recipients.public_of(private),
    )


def seal_keys(
    slots: SlotFile,
    recipient: str,
    public: bytes,
    vault_key: bytes,
    generations: list[keyslots.Generation],
    *,
    clinical: bool,
) -> SlotFile:
    """Seal the vault key, each database key and (if `clinical`) each clinical key held in
    `generations` to one recipient, replacing whatever was sealed to it before."""
    vid = slots.vault_id
    out = [s for s in slots.seals if s.recipient != recipient]
    out.append(
        seal_secret(
            vid, SECRET_VAULT, keyslots.fingerprint(vault_key), vault_key, recipient, public
        )
    )
    for g in generations:
        db_id = keyslots.fingerprint(g.db_key)
        out.append(seal_secret(vid, SECRET_DB, db_id, g.db_key, recipient, public, g.state))
        if clinical and g.clinical_key is not None:
            clinical_id = keyslots.fingerprint(g.clinical_key)
            out.append(
                seal_secret(
                    vid, SECRET_CLINICAL, clinical_id, g.clinical_key, recipient, public, g.state
                )
            )
    return slots.with_seals(tuple(out))


def create_keys(
    root: Path, *, user_id: str, login: str, passphrase: str, kdf: KdfParams
) -> tuple[Unlocked, str]:
    """A new vault's keys: vault, database and clinical keys sealed to the first user (an admin)
    and to the recovery code's key pair; returns the recovery code."""
    paths = VaultPaths(Path(root))
    if paths.exists():
        raise VaultExists(paths.root)
    paths.root.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(paths.root, 0o700)
    except OSError:
        pass
    vault_id = str(uuid.uuid4())
    vault_key = hold(os.urandom(32))
    gen = keyslots.Generation("current", hold(os.urandom(32)), hold(os.urandom(32)))
    code = new_recovery_code()
    mine, _pub = recipients.new_identity()
    recovery, _rpub = recipients.new_identity()
    slots = SlotFile(vault_id=vault_id, slots=())
    slots = slots.with_slot(
        _identity_slot(
            vault_id,
            mine,
            passphrase.encode(),
            kind=keyslots.KIND_PASSPHRASE,
            kdf=kdf,
            user_id=user_id,
            login=login,
        )
    )
    slots = slots.with_slot(
        _identity_slot(
            vault_id,
            recovery,
            normalize_recovery_code(code).encode(),
            kind=keyslots.KIND_RECOVERY,
            kdf=kdf,
        )
    )
    for name, public in slots.recipients().items():
        slots = seal_keys(slots, name, public, vault_key, [gen], clinical=True)
    save_slot_file(paths.keys, slots)
    return Unlocked(vault_id, vault_key, user_id, "passphrase", (), mine, user_id), code


def read_slots(root: Path) -> SlotFile:
    paths = VaultPaths(Path(root))
    if not paths.exists():
        raise VaultNotFound(paths.root)
    return load_slot_file(paths.keys)


def _opened(slots: SlotFile, slot: keyslots.KeySlot, secret: bytes) -> tuple[bytes, bytes | None]:
    """(vault key, private key or None) from one slot; WrongPassphrase if it does not open."""
    inner = keyslots.open_slot(slots.vault_id, slot, secret)
    if slot.legacy:
        return inner, None
    return slots.vault_key(slot.recipient, inner), inner


def unlock_with_passphrase(
    root: Path,
    passphrase: str,
    login: str | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Unlocked:
    """Open the slot of `login` (or try every user slot when no login is given).

    Each failure is recorded on this computer and answered after a growing delay; the record is
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
            vault_key, private = _opened(slots, slot, passphrase.encode())
        except WrongPassphrase:
            continue
        return _succeeded(slots, vault_key, slot.user_id, "passphrase", private)
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
            vault_key, private = _opened(slots, slot, secret)
        except WrongPassphrase:
            continue
        return _succeeded(slots, vault_key, None, "recovery", private, keyslots.RECOVERY)
    _record_failure(root, slots, "recovery", sleep)
    raise WrongPassphrase()


def unlock_with_keyring(root: Path, user_id: str) -> Unlocked | None:
    """Use a remembered secret if this computer's keyring still has one; None otherwise."""
    slots = read_slots(root)
    secret = keystore.load_secret(slots.vault_id, user_id)
    if secret is None:
        return None
    try:
        for slot in slots.slots:
            if slot.kind == keyslots.KIND_KEYRING and slot.user_id == user_id:
                try:
                    vault_key, private = _opened(slots, slot, secret)
                except WrongPassphrase:
                    continue
                return _succeeded(slots, vault_key, user_id, "keyring", private)
        return None
    finally:
        wipe(secret)


def remember_on_this_computer(root: Path, unlocked: Unlocked, user_id: str) -> None:
    secret = keystore.store_secret(unlocked.vault_id, user_id)
    slots = read_slots(root).without(
        lambda s: s.kind == keyslots.KIND_KEYRING and s.user_id == user_id
    )
    if unlocked.private is not None:
        slot = _identity_slot(
            unlocked.vault_id,
            unlocked.private,
            secret,
            kind=keyslots.KIND_KEYRING,
            kdf=None,
            user_id=user_id,
        )
    else:
        slot = seal(
            unlocked.vault_id,
            unlocked.dek,
            secret,
            kind=keyslots.KIND_KEYRING,
            kdf=None,
            user_id=user_id,
        )
    wipe(secret)
    save_slot_file(VaultPaths(Path(root)).keys, slots.with_slot(slot))


def forget_on_this_computer(root: Path, user_id: str) -> None:
    slots = read_slots(root)
    keystore.forget_secret(slots.vault_id, user_id)
    slots = slots.without(lambda s: s.kind == keyslots.KIND_KEYRING and s.user_id == user_id)
    save_slot_file(VaultPaths(Path(root)).keys, slots)


def set_passphrase(
    root: Path, unlocked: Unlocked, *, user_id: str, login: str, passphrase: str, kdf: KdfParams
) -> None:
    """The holder's own passphrase: the same private key, wrapped under the new passphrase."""
    if unlocked.private is None or unlocked.user_id != user_id:
        raise ValueError("set_passphrase re-wraps the caller's own key; use enroll")
    slots = read_slots(root)
    kept = slots.seals
    slots = slots.without(lambda s: s.kind == keyslots.KIND_PASSPHRASE and s.user_id == user_id)
    slots = slots.with_slot(
        _identity_slot(
            unlocked.vault_id,
            unlocked.private,
            passphrase.encode(),
            kind=keyslots.KIND_PASSPHRASE,
            kdf=kdf,
            user_id=user_id,
            login=login,
        )
    ).with_seals(kept)
    save_slot_file(VaultPaths(Path(root)).keys, slots)


def enroll(
    root: Path,
    holder: Unlocked,
    *,
    user_id: str,
    login: str,
    passphrase: str,
    kdf: KdfParams,
    clinical: bool,
) -> bytes:
    """Give a user a new key pair wrapped by `passphrase` and seal to it the keys `holder`
    holds (the clinical key only when `clinical`). Replaces any slots and seals the user had:
    a new user, a passphrase reset with the recovery code, or a legacy slot being converted.
    Returns the new private key."""
    slots = read_slots(root)
    generations = holder.generations(slots)
    private, public = recipients.new_identity()
    slots = slots.without(lambda s: s.user_id == user_id and s.kind != keyslots.KIND_RECOVERY)
    slots = slots.with_slot(
        _identity_slot(
            slots.vault_id,
            private,
            passphrase.encode(),
            kind=keyslots.KIND_PASSPHRASE,
            kdf=kdf,
            user_id=user_id,
            login=login,
        )
    )
    slots = seal_keys(slots, user_id, public, holder.dek, generations, clinical=clinical)
    save_slot_file(VaultPaths(Path(root)).keys, slots)
    return private


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


def _succeeded(
    slots: SlotFile,
    vault_key: bytes,
    user_id: str | None,
    via: str,
    private: bytes | None,
    recipient: str | None = None,
) -> Unlocked:
    failures = recorded_failures(slots.vault_id)
    if failures:
        with contextlib.suppress(FileNotFoundError):
            _failures_file(slots.vault_id).unlink()
    return Unlocked(
        slots.vault_id,
        vault_key,
        user_id,
        via,
        tuple(failures),
        private,
        recipient or (user_id if private is not None else None),
    )
