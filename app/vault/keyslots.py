"""The key file: LUKS-style slots that open a recipient's private key, and vault secrets sealed
to recipients' public keys.

A slot wraps one recipient's X25519 private key under a key derived from one secret (a user's
passphrase, this computer's keyring secret, the recovery code). The vault's secrets — the vault
key (audit and anchor MACs), the database key and the clinical key — are sealed to each
recipient that may hold them (app/vault/recipients.py). Slots written before recipients existed
("legacy", no public key) wrap the vault key itself and are converted at their owner's next
unlock.

The file is JSON beside the database. It holds no secret in the clear: salts, KDF parameters,
nonces, public keys and AES-256-GCM ciphertexts. The associated data binds every slot and seal
to its vault and to every one of its own fields, so nothing can be swapped or edited.
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
from app.db.wipe import hold, wipe
from app.errors import VaultDamaged, WrongPassphrase
from app.i18n import _
from app.vault import recipients
from app.vault.kdf import KdfParams, derive_key
from app.vault.recipients import Box

FORMAT = "xindang-vault-keys"
VERSION = 2
KIND_PASSPHRASE = "passphrase"
KIND_RECOVERY = "recovery"
KIND_KEYRING = "keyring"
SECRET_VAULT = "vault"
SECRET_DB = "db"
SECRET_CLINICAL = "clinical"
RECOVERY = "recovery"  # the recipient name of the recovery code's key pair


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
    public: bytes | None = None  # the recipient's public key; None: a legacy slot (vault key)

    @property
    def recipient(self) -> str:
        return RECOVERY if self.kind == KIND_RECOVERY else str(self.user_id)

    @property
    def legacy(self) -> bool:
        return self.public is None

    def aad(self, vault_id: str) -> bytes:
        base = f"{FORMAT}|{vault_id}|{self.id}|{self.kind}|{self.user_id or ''}"
        if self.aad_version < 2:
            return base.encode()
        kdf = json.dumps(self.kdf.to_dict(), sort_keys=True) if self.kdf else ""
        tail = f"|{_b64(self.public)}" if self.public is not None else ""
        return f"{base}|v2|{self.login or ''}|{kdf}|{self.created}{tail}".encode()

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
        if self.public is not None:
            d["public"] = _b64(self.public)
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
            public=_public(d.get("public")),
        )


def _public(value) -> bytes | None:
    if value is None:
        return None
    raw = _unb64(value)
    if len(raw) != 32:
        raise ValueError("public key")
    return raw


@dataclass(frozen=True)
class Seal:
    """One vault secret sealed to one recipient's public key.

    `key_id` names the secret's generation (a rotation makes a new one); `state` is "current" or,
    during a rotation, "next". Everything but the state is authenticated.
    """

    secret: str
    key_id: str
    state: str
    recipient: str
    public: bytes
    box: Box

    def aad(self, vault_id: str) -> bytes:
        return (
            f"{FORMAT}|{vault_id}|seal|{self.secret}|{self.key_id}|{self.recipient}|"
            f"{_b64(self.public)}"
        ).encode()

    def to_dict(self) -> dict:
        return {
            "secret": self.secret,
            "key_id": self.key_id,
            "state": self.state,
            "recipient": self.recipient,
            "public": _b64(self.public),
            "epk": _b64(self.box.epk),
            "nonce": _b64(self.box.nonce),
            "ciphertext": _b64(self.box.ciphertext),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Seal:
        if d["secret"] not in (SECRET_VAULT, SECRET_DB, SECRET_CLINICAL):
            raise ValueError("secret")
        if d["state"] not in ("current", "next"):
            raise ValueError("state")
        return cls(
            secret=str(d["secret"]),
            key_id=str(d["key_id"]),
            state=str(d["state"]),
            recipient=str(d["recipient"]),
            public=_public(d["public"]) or b"",
            box=Box(_unb64(d["epk"]), _unb64(d["nonce"]), _unb64(d["ciphertext"])),
        )


def seal_secret(
    vault_id: str,
    secret_name: str,
    key_id: str,
    value: bytes,
    recipient: str,
    public: bytes,
    state: str = "current",
) -> Seal:
    draft = Seal(secret_name, key_id, state, recipient, public, Box(b"", b"", b""))
    return replace(draft, box=recipients.seal(public, value, draft.aad(vault_id)))


def open_seal(vault_id: str, seal: Seal, private: bytes) -> bytes:
    try:
        return hold(recipients.open_box(private, seal.box, seal.aad(vault_id)))
    except recipients.SealBroken as exc:
        raise VaultDamaged(_("the key file is damaged.")) from exc


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
    purpose: str = "dbkey"  # or "clinical-escrow": a legacy vault's clinical key (see SlotFile)

    def aad(self, vault_id: str) -> bytes:
        return f"{FORMAT}|{vault_id}|{self.purpose}|{self.id}".encode()

    def to_dict(self) -> dict:
        d = {
            "id": self.id,
            "state": self.state,
            "nonce": _b64(self.nonce),
            "ciphertext": _b64(self.ciphertext),
            "created": self.created,
        }
        if self.purpose != "dbkey":
            d["purpose"] = self.purpose
        return d

    @classmethod
    def from_dict(cls, d: dict) -> WrappedKey:
        return cls(
            id=str(d["id"]),
            state=str(d["state"]),
            nonce=_unb64(d["nonce"]),
            ciphertext=_unb64(d["ciphertext"]),
            created=str(d.get("created", "")),
            purpose=str(d.get("purpose", "dbkey")),
        )


def wrap_db_key(
    vault_id: str, vault_key: bytes, db_key: bytes, state: str, purpose: str = "dbkey"
) -> WrappedKey:
    w = WrappedKey(str(uuid.uuid4()), state, os.urandom(12), b"", _now(), purpose)
    return replace(w, ciphertext=AESGCM(vault_key).encrypt(w.nonce, db_key, w.aad(vault_id)))


def unwrap_db_key(vault_id: str, vault_key: bytes, wrapped: WrappedKey) -> bytes:
    try:
        return hold(
            AESGCM(vault_key).decrypt(wrapped.nonce, wrapped.ciphertext, wrapped.aad(vault_id))
        )
    except InvalidTag as exc:
        raise VaultDamaged(_("the key file is damaged.")) from exc


@dataclass(frozen=True)
class Generation:
    """One set of keys the database may be under: the current one, or a rotation's next."""

    state: str
    db_key: bytes
    clinical_key: bytes | None


@dataclass(frozen=True)
class SlotFile:
    vault_id: str
    slots: tuple[KeySlot, ...]
    db_keys: tuple[WrappedKey, ...] = ()  # legacy: database keys wrapped under the vault key
    audit_anchor: dict | None = None  # app/vault/anchor.py: the audit head as of the last lock
    seals: tuple[Seal, ...] = ()
    # A legacy vault's clinical key, wrapped under the vault key until no legacy slot is left
    # (a legacy slot's owner can only be given it this way); a rotation drops it.
    clinical_escrow: WrappedKey | None = None

    def db_key_candidates(self, vault_key: bytes) -> list[tuple[str, bytes]]:
        """Legacy vaults: (state, key) to try in order; the vault key itself if never rotated."""
        keys = [w for w in self.db_keys if w.purpose == "dbkey"]
        if not keys:
            return [("current", vault_key)]
        order = sorted(keys, key=lambda w: w.state != "current")
        return [(w.state, unwrap_db_key(self.vault_id, vault_key, w)) for w in order]

    def seals_to(self, recipient: str, secret: str | None = None) -> list[Seal]:
        return [
            s
            for s in self.seals
            if s.recipient == recipient and (secret is None or s.secret == secret)
        ]

    def vault_key(self, recipient: str, private: bytes) -> bytes:
        seal = next(iter(self.seals_to(recipient, SECRET_VAULT)), None)
        if seal is None:
            raise VaultDamaged(_("the key file holds no key for this user."))
        return open_seal(self.vault_id, seal, private)

    def generations(
        self, vault_key: bytes, recipient: str | None, private: bytes | None
    ) -> list[Generation]:
        """The keys this recipient holds, current first. Legacy holders (no private key) get the
        wrapped database keys and, while it exists, the clinical escrow."""
        db_seals = self.seals_to(recipient, SECRET_DB) if recipient and private else []
        if not db_seals:
            clinical = self._escrowed_clinical(vault_key)
            return [
                Generation(state, key, clinical) for state, key in self.db_key_candidates(vault_key)
            ]
        out = []
        for seal in sorted(db_seals, key=lambda s: s.state != "current"):
            clinical = next(
                (c for c in self.seals_to(recipient, SECRET_CLINICAL) if c.state == seal.state),
                None,
            )
            out.append(
                Generation(
                    seal.state,
                    open_seal(self.vault_id, seal, private),
                    open_seal(self.vault_id, clinical, private) if clinical else None,
                )
            )
        return out

    def _escrowed_clinical(self, vault_key: bytes) -> bytes | None:
        if self.clinical_escrow is None:
            return None
        return unwrap_db_key(self.vault_id, vault_key, self.clinical_escrow)

    def with_db_keys(self, keys: tuple[WrappedKey, ...]) -> SlotFile:
        return replace(self, db_keys=keys)

    def with_seals(self, seals: tuple[Seal, ...]) -> SlotFile:
        return replace(self, seals=seals)

    def recipients(self) -> dict[str, bytes]:
        """recipient name → public key, for every slot that has one."""
        return {s.recipient: s.public for s in self.slots if s.public is not None}

    def user_slots(self) -> list[KeySlot]:
        return [s for s in self.slots if s.kind == KIND_PASSPHRASE]

    def legacy_slots(self) -> list[KeySlot]:
        return [s for s in self.slots if s.legacy]

    def logins(self) -> list[str]:
        return [s.login for s in self.user_slots() if s.login]

    def with_slot(self, slot: KeySlot) -> SlotFile:
        return replace(self, slots=(*self.slots, slot))

    def without(self, predicate) -> SlotFile:
        """Drop slots; a recipient left with no slot loses its seals too."""
        slots = tuple(s for s in self.slots if not predicate(s))
        kept = {s.recipient for s in slots}
        return replace(self, slots=slots, seals=tuple(s for s in self.seals if s.recipient in kept))

    def to_json(self) -> bytes:
        doc = {
            "format": FORMAT,
            "version": VERSION if self.seals else 1,
            "vault_id": self.vault_id,
            "slots": [s.to_dict() for s in self.slots],
        }
        if self.seals:
            doc["seals"] = [s.to_dict() for s in self.seals]
        if self.db_keys:
            doc["db_keys"] = [w.to_dict() for w in self.db_keys]
        if self.clinical_escrow is not None:
            doc["clinical_escrow"] = self.clinical_escrow.to_dict()
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
        seals = tuple(Seal.from_dict(x) for x in doc.get("seals", ()))
        escrow = doc.get("clinical_escrow")
        escrow = WrappedKey.from_dict(escrow) if escrow is not None else None
        if escrow is not None and escrow.purpose != "clinical-escrow":
            raise ValueError("escrow")
        anchor = doc.get("audit_anchor")
        if anchor is not None and not isinstance(anchor, dict):
            raise ValueError("audit anchor")
        return SlotFile(
            vault_id=str(doc["vault_id"]),
            slots=slots,
            db_keys=db_keys,
            audit_anchor=anchor,
            seals=seals,
            clinical_escrow=escrow,
        )
    except VaultDamaged:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise VaultDamaged(_("the key file is damaged.")) from exc


def save_slot_file(path: Path, slots: SlotFile) -> None:
    atomic_write(Path(path), slots.to_json())


def fingerprint(key: bytes) -> str:
    """Names a key's generation in the key file without revealing anything about it."""
    import hashlib

    return hashlib.sha256(b"xindang key id|" + key).hexdigest()[:16]


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
    public: bytes | None = None,
) -> KeySlot:
    """Wrap `dek` — a recipient's private key, whose public half is `public` (or, for legacy
    slots only, the vault key) — under `secret` (Argon2id-stretched when `kdf` is given)."""
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
        public=public,
    )
    try:
        ct = AESGCM(kek).encrypt(slot.nonce, dek, slot.aad(vault_id))
    finally:
        wipe(kek)
    return replace(slot, ciphertext=ct)


def open_slot(vault_id: str, slot: KeySlot, secret: bytes) -> bytes:
    """Return the data key, or raise WrongPassphrase when the secret does not fit this slot."""
    kek = (
        derive_key(secret, slot.salt, slot.kdf)
        if slot.kdf is not None
        else _hkdf(secret, slot.salt)
    )
    try:
        opened = hold(AESGCM(kek).decrypt(slot.nonce, slot.ciphertext, slot.aad(vault_id)))
    except InvalidTag as exc:
        raise WrongPassphrase() from exc
    finally:
        wipe(kek)
    if slot.public is not None and recipients.public_of(opened) != slot.public:
        raise VaultDamaged(_("the key file is damaged."))
    return opened


def _hkdf(secret: bytes, salt: bytes) -> bytes:
    """Keyring secrets are already 256 random bits: no stretching needed, only domain separation."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=b"xindang keyring slot"
    ).derive(secret)
