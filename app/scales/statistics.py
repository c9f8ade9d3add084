"""The few statistics a school psychologist reads beside a screening, from their published
formulas: a proportion's Wilson interval, a mean's t interval, and Jacobson & Truax's reliable
change index. Written out (no SciPy): the figures must be checkable by hand."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959964  # the normal 97.5th percentile

# Student's t, 97.5th percentile, by degrees of freedom (any statistics textbook's table).
_T975 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
    9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120,
    17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064,
    25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042, 40: 2.021, 60: 2.000,
    120: 1.980,
}  # fmt: skip


def t_critical(df: int) -> float:
    """The two-sided 95 % t value; between tabled df it is interpolated in 1/df (exact to the
    table's third decimal), beyond 120 it tends to z."""
    if df < 1:
        raise ValueError("df must be at least 1")
    if df in _T975:
        return _T975[df]
    keys = sorted(_T975)
    if df > keys[-1]:
        lo, hi, t_lo, t_hi = keys[-1], math.inf, _T975[keys[-1]], Z95
    else:
        lo = max(k for k in keys if k < df)
        hi = min(k for k in keys if k > df)
        t_lo, t_hi = _T975[lo], _T975[hi]
    w = (1 / lo - 1 / df) / (1 / lo - (0 if hi == math.inf else 1 / hi))
    return t_lo + (t_hi - t_lo) * w


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float


def wilson(k: int, n: int) -> Interval | None:
    """A proportion k/n with its 95 % Wilson score interval (sound for small classes and rates
    near 0, where the textbook ± interval goes below zero). None for n = 0."""
    if n == 0:
        return None
    p = k / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half))


def mean_interval(values: Sequence[float]) -> Interval | None:
    """The mean with its 95 % t interval (sample SD, n − 1); a lone value has no interval."""
    n = len(values)
    if n == 0:
        return None
    m = sum(values) / n
    if n == 1:
        return Interval(m, m, m)
    sd = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1))
    half = t_critical(n - 1) * sd / math.sqrt(n)
    return Interval(m, m - half, m + half)


@dataclass(frozen=True)
class ReliableChange:
    before: float
    after: float
    rci: float  # (after − before) / S_diff
    s_diff: float

    @property
    def reliable(self) -> bool:
        return abs(self.rci) > Z95

    @property
    def direction(self) -> str:
        """'up' / 'down' when reliable (the score rose / fell), else 'none'."""
        if not self.reliable:
            return "none"
        return "up" if self.rci > 0 else "down"


def reliable_change(before: float, after: float, r: float, sd: float) -> ReliableChange:
    """Jacobson & Truax (1991): SE = SD·√(1 − r), S_diff = √(2·SE²), RCI = (x₂ − x₁) / S_diff;
    |RCI| > 1.96 is a change unlikely (p < .05) to come from measurement error alone."""
    se = sd * math.sqrt(1 - r)
    s_diff = math.sqrt(2 * se * se)
    return ReliableChange(before, after, (after - before) / s_diff, s_diff)


def percent_text(iv: Interval | None) -> str:
    """'80.0 %（49.0–94.3）' — a rate with its interval, as the reports print it."""
    if iv is None:
        return "—"
    return f"{100 * iv.estimate:.1f} %（{100 * iv.low:.1f}–{100 * iv.high:.1f}）"


def mean_text(iv: Interval | None) -> str:
    """'11.2（7.0–15.4）' — a mean with its interval."""
    if iv is None:
        return "—"
    return f"{iv.estimate:.1f}（{iv.low:.1f}–{iv.high:.1f}）"
