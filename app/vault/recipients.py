"""Sealed boxes to X25519 public keys, the way age and libsodium's crypto_box_seal do it.

Each user (and the recovery code) holds a key pair; their passphrase only wraps the private key.
A vault secret is sealed to each recipient's public key, so an admin can hand the database and
clinical keys to a new user — or seal fresh ones to everyone who remains after someone leaves —
without knowing anyone's passphrase. A removed user keeps, at most, keys that no longer open
anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.db.wipe import hold, wipe

_RAW = {"encoding": serialization.Encoding.Raw, "format": serialization.PublicFormat.Raw}
_INFO = b"xindang sealed box v1"


class SealBroken(Exception):
    """The box was not sealed to this key, or was altered."""


@dataclass(frozen=True)
class Box:
    epk: bytes  # the sender's one-time public key
    nonce: bytes
    ciphertext: bytes


def new_identity() -> tuple[bytes, bytes]:
    """(private, public), both 32 raw bytes."""
    private = X25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return hold(raw), private.public_key().public_bytes(**_RAW)


def public_of(private: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes(**_RAW)


def _box_key(shared: bytes, epk: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SHA256(), length=32, salt=epk + recipient, info=_INFO).derive(shared)


def seal(recipient: bytes, secret: bytes, aad: bytes) -> Box:
    """Encrypt `secret` so that only the holder of `recipient`'s private key can open it."""
    ephemeral = X25519PrivateKey.generate()
    epk = ephemeral.public_key().public_bytes(**_RAW)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    nonce = os.urandom(12)
    key = _box_key(shared, epk, recipient)
    try:
        return Box(epk, nonce, AESGCM(key).encrypt(nonce, secret, aad))
    finally:
        wipe(shared, key)


def open_box(private: bytes, box: Box, aad: bytes) -> bytes:
    me = X25519PrivateKey.from_private_bytes(private)
    mine = me.public_key().public_bytes(**_RAW)
    shared = key = None
    try:
        shared = me.exchange(X25519PublicKey.from_public_bytes(box.epk))
        key = _box_key(shared, box.epk, mine)
        return AESGCM(key).decrypt(box.nonce, box.ciphertext, aad)
    except (InvalidTag, ValueError) as exc:
        raise SealBroken() from exc
    finally:
        wipe(shared, key)
