"""Issue 3 figures: scoring throughput."""

from __future__ import annotations

import random
import time

from app.scales.library import get_scale
from app.scales.scoring import score
from bench.foundation import figure


def run() -> list[dict]:
    scl = get_scale("SCL-90")
    rng = random.Random(90)
    sheets = [[rng.choice((1, 1, 1, 2, 2, 3, 4, 5)) for _ in range(90)] for _ in range(10_000)]
    t = time.perf_counter()
    for answers in sheets:
        score(scl, answers)
    return [figure("score 10,000 SCL-90 answer sets", time.perf_counter() - t, "s", 2.0)]
