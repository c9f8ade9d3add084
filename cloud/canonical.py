"""Canonical JSON and the digests both peers compute the same way (docs/sync-protocol.md §5)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable


def canonical_json(doc) -> str:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def payload_sha256(doc) -> str:
    return hashlib.sha256(canonical_json(doc).encode()).hexdigest()


def digest(pairs: Iterable[tuple[str, object]]) -> dict:
    """Count and SHA-256 over sorted `id:version` lines: cheap to compare, sensitive to any drift."""
    lines = sorted(f"{a}:{b}" for a, b in pairs)
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode() + b"\n")
    return {"count": len(lines), "sha256": h.hexdigest()}
