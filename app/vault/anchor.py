"""The audit log's head, written outside the database: into keys.json at every lock and backup.

The hash chain inside the database proves entries were not edited one by one, but not that the
last ones were not cut off, the whole log wiped, entries dropped and the rest re-chained, or an
older copy of the database put back: all of those leave a valid chain. The anchor — how many
entries there were, the last one's hash and when, MAC-ed with a key derived from the vault key —
is checked at every unlock against the database. (Any account holder can still derive that key
while every slot wraps the same vault key; issue 15's per-purpose keys close that.)
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from app.db.wipe import wipe


@dataclass(frozen=True)
class AuditAnchor:
    entries: int
    head: str
    at: str
    mac: str

    def to_dict(self) -> dict:
        return {"entries": self.entries, "head": self.head, "at": self.at, "mac": self.mac}

    @classmethod
    def from_dict(cls, d: dict) -> AuditAnchor:
        return cls(int(d["entries"]), str(d["head"]), str(d["at"]), str(d["mac"]))


def _key(vault_key: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"xindang audit anchor"
    ).derive(vault_key)


def _mac(vault_id: str, vault_key: bytes, entries: int, head: str, at: str) -> str:
    message = f"{vault_id}|{entries}|{head}|{at}".encode()
    key = _key(vault_key)
    try:
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    finally:
        wipe(key)


def make_anchor(vault_id: str, vault_key: bytes, entries: int, head: str, at: str) -> AuditAnchor:
    return AuditAnchor(entries, head, at, _mac(vault_id, vault_key, entries, head, at))


def authentic(vault_id: str, vault_key: bytes, anchor: AuditAnchor) -> bool:
    expected = _mac(vault_id, vault_key, anchor.entries, anchor.head, anchor.at)
    return hmac.compare_digest(expected, anchor.mac)
