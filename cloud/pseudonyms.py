"""Pseudonymous student keys: what submissions carry instead of the 学籍号.

A 学籍号 is often the national ID number (birth date, sex, place); a plain hash of it is no
protection, because the space is small enough to try every value. The key is an HMAC under a
secret of the school's, held by the city and by the school's enrolled devices only:
``hex(HMAC-SHA256(secret, 学籍号))[:24]`` (docs/sync-protocol.md §5). The city can map a key back
through the roster it publishes — which a transfer needs — but a copy of the submission table
alone names no one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy.orm import Session

from cloud.models import Org

KEY_HEX = 24


def student_key(secret: str, student_no: str) -> str:
    return hmac.new(bytes.fromhex(secret), student_no.encode(), hashlib.sha256).hexdigest()[
        :KEY_HEX
    ]


def school_secret(s: Session, school: Org) -> str:
    """The school's secret, made the first time it is needed."""
    if not school.pseudonym_secret:
        school.pseudonym_secret = secrets.token_hex(32)
        s.flush()
    return school.pseudonym_secret
