"""Passphrase strength: a hint while typing, and a floor no one may go below."""

from __future__ import annotations

import math
import string

from app.errors import ValidationError
from app.i18n import N_, _

MIN_LENGTH = 8
LEVELS = (N_("Too weak"), N_("Weak"), N_("Fair"), N_("Strong"), N_("Very strong"))


def estimate_bits(passphrase: str) -> float:
    """A rough entropy estimate from length and character classes; enough for a hint."""
    if not passphrase:
        return 0.0
    pool = 0
    if any(c in string.ascii_lowercase for c in passphrase):
        pool += 26
    if any(c in string.ascii_uppercase for c in passphrase):
        pool += 26
    if any(c in string.digits for c in passphrase):
        pool += 10
    if any(c in string.punctuation or c == " " for c in passphrase):
        pool += 33
    if any(ord(c) > 127 for c in passphrase):
        pool += 2000
    unique = len(set(passphrase))
    return min(len(passphrase), unique * 2) * math.log2(max(pool, 2))


def strength(passphrase: str) -> int:
    """0 (too weak) … 4 (very strong)."""
    bits = estimate_bits(passphrase)
    if len(passphrase) < MIN_LENGTH:
        return 0
    return 1 if bits < 40 else 2 if bits < 60 else 3 if bits < 80 else 4


def strength_label(passphrase: str) -> str:
    return _(LEVELS[strength(passphrase)])


def require_acceptable(passphrase: str) -> None:
    if len(passphrase) < MIN_LENGTH:
        raise ValidationError(
            "passphrase",
            _("The passphrase must have at least {n} characters.").format(n=MIN_LENGTH),
        )
