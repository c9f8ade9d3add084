"""LUKS-style key slots: each wraps the one data key under a key derived from one secret.

The slot file is JSON beside the database. It holds no secret in the clear: salts, KDF
parameters, nonces and AES-256-GCM ciphertexts. The GCM associated data binds each slot to its
vault and its own identity, so slots cannot be swapped between vaults or users.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.atomic_write import atomic_write
from app.errors import VaultDamaged, WrongPassphrase
from app.i18n import _
from app.vault.kdf import KdfParams, derive_key

FORMAT = "xindang-vault-keys"
VERSION = 1
KIND_PASSPHRASE = "passphrase"
KIND_RECOVERY = "recovery"
KIND_KEYRING = "keyring"


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _unb64(s: str) -> bytes:
    return base64.b64decode(s.encode("ascii"), validate=True)


@dataclass(frozen=True)
class KeySlot:
    id: str
    kind: str
    user_id: str | None
    login: str | None
    kdf: KdfParams | None
    salt: bytes
    nonce: bytes
    ciphertext: bytes
    created: str
    # 1: vault, id, kind and user authenticated (slots written before 2026-12);
    # 2: also the login, the KDF parameters and the creation time — no field can be edited.
    aad_version: int = 1

    def aad(self, vault_id: str) -> bytes:
        base = f"{FORMAT}|{vault_id}|{self.id}|{self.kind}|{self.user_id or ''}"
        if self.aad_version < 2:
            return base.encode()
        kdf = json.dumps(self.kdf.to_dict(), sort_keys=True) if self.kdf else ""
        return f"{base}|v2|{self.login or ''}|{kdf}|{self.created}".encode()

    def to_dict(self) -> dict:
        d = {
            "id": self.id,
            "kind": self.kind,
            "user_id": self.user_id,
            "login": self.login,
            "salt": _b64(self.salt),
            "nonce": _b64(self.nonce),
            "ciphertext": _b64(self.ciphertext),
            "created": self.created,
        }
        if self.kdf is not None:
            d["kdf"] = self.kdf.to_dict()
        if self.aad_version > 1:
            d["aad"] = self.aad_version
        return d

    @classmethod
    def from_dict(cls, d: dict) -> KeySlot:
        return cls(
            id=str(d["id"]),
            kind=str(d["kind"]),
            user_id=d.get("user_id"),
            login=d.get("login"),
            kdf=KdfParams.from_dict(d["kdf"]) if d.get("kdf") else None,
            salt=_unb64(d["salt"]),
            nonce=_unb64(d["nonce"]),
            ciphertext=_unb64(d["ciphertext"]),
            created=str(d.get("created", "")),
            aad_version=_aad_version(d.get("aad", 1)),
        )


def _aad_version(value) -> int:
    if value not in (1, 2):
        raise ValueError("slot aad version")
    return int(value)


@dataclass(frozen=True)
class WrappedKey:
    """The database key, wrapped under the vault key the slots open.

    Slots wrap the vault key; the vault key wraps the database key. Rotating the database key
    re-encrypts the database and rewrites this entry while every slot stays valid. `state` is
    "current" or, during a rotation, "next" (the key the new copy was written with).
    """

    id: str
    state: str
    nonce: bytes
    ciphertext: bytes
    created: str

    def aad(self, vault_id: str) -> bytes:
        return f"{FORMAT}|{vault_id}|dbkey|{self.id}".encode()

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "state": self.state,
            "nonce": _b64(self.nonce),
            "ciphertext": _b64(self.ciphertext),
            "created": self.created,
        }

    @classmethod
    def from_dict(cls, d: dict) -> WrappedKey:
        return cls(
            id=str(d["id"]),
            state=str(d["state"]),
            nonce=_unb64(d["nonce"]),
            ciphertext=_unb64(d["ciphertext"]),
            created=str(d.get("created", "")),
        )


def wrap_db_key(vault_id: str, vault_key: bytes, db_key: bytes, state: str) -> WrappedKey:
    w = WrappedKey(str(uuid.uuid4()), state, os.urandom(12), b"", _now())
    return replace(w, ciphertext=AESGCM(vault_key).encrypt(w.nonce, db_key, w.aad(vault_id)))


def unwrap_db_key(vault_id: str, vault_key: bytes, wrapped: WrappedKey) -> bytes:
    try:
        return AESGCM(vault_key).decrypt(wrapped.nonce, wrapped.ciphertext, wrapped.aad(vault_id))
    except InvalidTag as exc:
        raise VaultDamaged(_("the key file is damaged.")) from exc


@dataclass(frozen=True)
class SlotFile:
    vault_id: str
    slots: tuple[KeySlot, ...]
    db_keys: tuple[WrappedKey, ...] = ()
    audit_anchor: dict | None = None  # app/vault/anchor.py: the audit head as of the last lock

    def db_key_candidates(self, vault_key: bytes) -> list[tuple[str, bytes]]:
        """(state, key) to try in order; a vault that never rotated uses the vault key itself."""
        if not self.db_keys:
            return [("current", vault_key)]
        order = sorted(self.db_keys, key=lambda w: w.state != "current")
        return [(w.state, unwrap_db_key(self.vault_id, vault_key, w)) for w in order]

    def with_db_keys(self, keys: tuple[WrappedKey, ...]) -> SlotFile:
        return replace(self, db_keys=keys)

    def user_slots(self) -> list[KeySlot]:
        return [s for s in self.slots if s.kind == KIND_PASSPHRASE]

    def logins(self) -> list[str]:
        return [s.login for s in self.user_slots() if s.login]

    def with_slot(self, slot: KeySlot) -> SlotFile:
        return replace(self, slots=(*self.slots, slot))

    def without(self, predicate) -> SlotFile:
        return replace(self, slots=tuple(s for s in self.slots if not predicate(s)))

    def to_json(self) -> bytes:
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "vault_id": self.vault_id,
            "slots": [s.to_dict() for s in self.slots],
        }
        if self.db_keys:
            doc["db_keys"] = [w.to_dict() for w in self.db_keys]
        if self.audit_anchor is not None:
            doc["audit_anchor"] = self.audit_anchor
        return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def load_slot_file(path: Path) -> SlotFile:
    """Read and check the slot file; anything unexpected is damage, never a reason to recreate."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise VaultDamaged(_("the key file is missing.")) from exc
    try:
        doc = json.loads(raw.decode("utf-8"))
        if doc.get("format") != FORMAT:
            raise ValueError("format")
        if int(doc.get("version", 0)) > VERSION:
            raise VaultDamaged(_("the key file was written by a newer version of XinDang."))
        slots = tuple(KeySlot.from_dict(s) for s in doc["slots"])
        db_keys = tuple(WrappedKey.from_dict(w) for w in doc.get("db_keys", ()))
        anchor = doc.get("audit_anchor")
        if anchor is not None and not isinstance(anchor, dict):
            raise ValueError("audit anchor")
        return SlotFile(
            vault_id=str(doc["vault_id"]), slots=slots, db_keys=db_keys, audit_anchor=anchor
        )
    except VaultDamaged:
        raise
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise VaultDamaged(_("the key file is damaged.")) from exc


def save_slot_file(path: Path, slots: SlotFile) -> None:
    atomic_write(Path(path), slots.to_json())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def seal(
    vault_id: str,
    dek: bytes,
    secret: bytes,
    *,
    kind: str,
    kdf: KdfParams | None,
    user_id: str | None = None,
    login: str | None = None,
) -> KeySlot:
    """Wrap the data key under `secret` (Argon2id-stretched when `kdf` is given)."""
    salt = os.urandom(16)
    kek = derive_key(secret, salt, kdf) if kdf is not None else _hkdf(secret, salt)
    slot = KeySlot(
        id=str(uuid.uuid4()),
        kind=kind,
        user_id=user_id,
        login=login,
        kdf=kdf,
        salt=salt,
        nonce=os.urandom(12),
        ciphertext=b"",
        created=_now(),
        aad_version=2,
    )
    ct = AESGCM(kek).encrypt(slot.nonce, dek, slot.aad(vault_id))
    return replace(slot, ciphertext=ct)


def open_slot(vault_id: str, slot: KeySlot, secret: bytes) -> bytes:
    """Return the data key, or raise WrongPassphrase when the secret does not fit this slot."""
    kek = (
        derive_key(secret, slot.salt, slot.kdf)
        if slot.kdf is not None
        else _hkdf(secret, slot.salt)
    )
    try:
        return AESGCM(kek).decrypt(slot.nonce, slot.ciphertext, slot.aad(vault_id))
    except InvalidTag as exc:
        raise WrongPassphrase() from exc


def _hkdf(secret: bytes, salt: bytes) -> bytes:
    """Keyring secrets are already 256 random bits: no stretching needed, only domain separation."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=b"xindang keyring slot"
    ).derive(secret)
