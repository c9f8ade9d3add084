"""Delay after failed unlocks: doubles with each consecutive failure, capped."""

from __future__ import annotations

FIRST_DELAY_S = 0.5
MAX_DELAY_S = 30.0


def failure_delay(consecutive_failures: int) -> float:
    """Seconds to wait before reporting the n-th consecutive wrong passphrase (n >= 1)."""
    if consecutive_failures <= 0:
        return 0.0
    return min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** (consecutive_failures - 1))
