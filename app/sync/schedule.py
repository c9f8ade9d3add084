"""When to try next: exponential backoff with full jitter, honouring Retry-After.

Triggers (reachability back, new outbox items, the timer, "sync now") ask `due()`; only a real
authenticated health call decides whether the city is reachable.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

BASE = 30.0
CAP = 30 * 60.0
PERIOD = 10 * 60.0


@dataclass
class Schedule:
    base: float = BASE
    cap: float = CAP
    period: float = PERIOD
    failures: int = 0
    next_at: float = 0.0
    rng: random.Random = field(default_factory=random.Random)

    def due(self, now: float | None = None) -> bool:
        return (now if now is not None else time.monotonic()) >= self.next_at

    def delay_for(self, failures: int, retry_after: float | None = None) -> float:
        jitter = self.rng.uniform(0, min(self.cap, self.base * 2 ** max(0, failures - 1)))
        return max(jitter, min(retry_after, self.cap)) if retry_after is not None else jitter

    def failed(self, retry_after: float | None = None, now: float | None = None) -> float:
        self.failures += 1
        delay = self.delay_for(self.failures, retry_after)
        self.next_at = (now if now is not None else time.monotonic()) + delay
        return delay

    def succeeded(self, now: float | None = None) -> None:
        self.failures = 0
        self.next_at = (now if now is not None else time.monotonic()) + self.period

    def poke(self) -> None:
        """Reachability came back, or the user asked: try now, keep the failure count."""
        self.next_at = 0.0
