"""Recovery codes: 160 random bits a person can copy onto paper without ambiguity."""

from __future__ import annotations

import secrets

# Crockford base32: no I, L, O, U, so 0/O and 1/I/L cannot be confused on paper.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ALIASES = {"O": "0", "I": "1", "L": "1"}
GROUPS = 8
GROUP_LEN = 4


def new_recovery_code() -> str:
    chars = [secrets.choice(_ALPHABET) for _ in range(GROUPS * GROUP_LEN)]
    return "-".join("".join(chars[i : i + GROUP_LEN]) for i in range(0, len(chars), GROUP_LEN))


def normalize_recovery_code(text: str) -> str:
    """Accept what a person types: any case, spaces or dashes, O for 0 and I/L for 1."""
    cleaned = [_ALIASES.get(c, c) for c in text.upper() if c.isalnum()]
    joined = "".join(cleaned)
    return "-".join(joined[i : i + GROUP_LEN] for i in range(0, len(joined), GROUP_LEN))
