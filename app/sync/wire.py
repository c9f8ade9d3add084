"""The wire format both peers agree on (docs/sync-protocol.md §5). The server keeps its own copy
in cloud/canonical.py on purpose: the protocol document, not shared code, is the contract."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable

STUDENT_KEY_HEX = 24


def canonical_json(doc) -> str:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def digest(pairs: Iterable[tuple[str, object]]) -> dict:
    lines = sorted(f"{a}:{b}" for a, b in pairs)
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode() + b"\n")
    return {"count": len(lines), "sha256": h.hexdigest()}


def student_key(secret: str, student_no: str) -> str:
    """The pseudonymous key a submission names a student by (§5): an HMAC under the school's
    secret, which the city hands to enrolled devices. Never the 学籍号 itself."""
    mac = hmac.new(bytes.fromhex(secret), student_no.encode(), hashlib.sha256).hexdigest()
    return mac[:STUDENT_KEY_HEX]
