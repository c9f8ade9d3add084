"""The scoring engine: raw answers in, every derived number out, re-computable at any time.

Answers are the option values printed on the paper form. Reverse items are scored
min + max − answer. Comparisons use exact fractions; values are rounded only for output.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from app.errors import AppError
from app.i18n import N_, _
from app.scales.definition import ScaleDefinition, text_of

ENGINE_VERSION = "1.0.0"

FLAG_MISSING = "too_many_missing"
FLAG_PRORATED = "prorated"
FLAG_STRAIGHT = "straight_lining"
FLAG_TOO_FAST = "too_fast"
FLAG_LIE = "lie_scale"
FLAG_CRITICAL_BLANK = "critical_unanswered"
WARNING_ONLY = {FLAG_PRORATED, FLAG_CRITICAL_BLANK}
# 需核查: why a result needs checking, as the counselor reads it.
FLAG_REASONS = {
    FLAG_MISSING: N_("items left blank"),
    FLAG_PRORATED: N_("blank items filled with the mean of the answered ones"),
    FLAG_STRAIGHT: N_("the same answer throughout"),
    FLAG_TOO_FAST: N_("answered too fast"),
    FLAG_LIE: N_("lie scale too high"),
    FLAG_CRITICAL_BLANK: N_("a critical item was left blank"),
}


def flag_reason(flag: str) -> str:
    """A validity flag in words (an unknown flag from a newer version as it is)."""
    return _(FLAG_REASONS[flag]) if flag in FLAG_REASONS else flag


class ScoringError(AppError):
    """Answers that do not fit the scale (wrong count, a value not on the form)."""

    def __init__(self, message: str, item: int | None = None) -> None:
        self.item = item
        super().__init__(message)


@dataclass(frozen=True)
class CriticalAlert:
    item: int
    answer: int
    official: bool
    reason: str


@dataclass(frozen=True)
class ScoreResult:
    scale: str
    version: str
    engine_version: str
    answers: tuple[int | None, ...]
    total: float | None
    standard_score: float | None
    scores: dict[str, float | None]
    subscales: dict[str, float | None]
    band: dict | None
    critical: tuple[CriticalAlert, ...]
    valid: bool
    flags: tuple[str, ...]
    norm_t: dict[str, float] = field(default_factory=dict)
    missing_items: tuple[int, ...] = ()
    missing_critical: tuple[int, ...] = ()  # critical items left blank: checked in person

    @property
    def critical_items(self) -> list[int]:
        return [c.item for c in self.critical]

    def to_json(self) -> dict:
        return {
            "scale": self.scale,
            "version": self.version,
            "engine_version": self.engine_version,
            "total": self.total,
            "standard_score": self.standard_score,
            "scores": self.scores,
            "subscales": self.subscales,
            "band": self.band,
            "critical_items": self.critical_items,
            "validity": {
                "valid": self.valid,
                "flags": list(self.flags),
                "missing_items": list(self.missing_items),
                "missing_critical": list(self.missing_critical),
            },
        }


Number = int | Fraction


@lru_cache(maxsize=512)
def _num(value: float) -> Number:
    """A threshold from a definition as an exact number (int when it is whole: faster to compare)."""
    f = Fraction(str(value))
    return int(f) if f.denominator == 1 else f


def _round(value: Number | None, decimals: int = 2) -> float | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    q = Decimal(value.numerator) / Decimal(value.denominator)
    r = q.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return int(r) if decimals == 0 or r == r.to_integral() else float(r)


class _Reported:
    """The scores as reported (rounded to their decimals), rounded only when a band asks."""

    def __init__(self, values: dict, decimals: dict) -> None:
        self.values, self.decimals, self.cache = values, decimals, {}

    def get(self, key: str, default=None):
        if key not in self.cache:
            v = self.values.get(key)
            self.cache[key] = None if v is None else _num(_round(v, self.decimals.get(key, 2)))
        return self.cache[key] if self.cache[key] is not None else default


def _item_score(defn: ScaleDefinition, item: int, answer: int) -> int:
    if item in defn.reverse_items:
        lo, hi = defn.bounds[item - 1]
        return lo + hi - answer
    return answer


def _compare(a: Number | None, op: str, b: float) -> bool:
    if a is None:
        return False
    b = _num(b)
    return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b, "==": a == b}[op]


def _condition(cond: dict, values: dict[str, Number | None]) -> bool:
    if "any" in cond:
        return any(_condition(c, values) for c in cond["any"])
    if "all" in cond:
        return all(_condition(c, values) for c in cond["all"])
    if "any_subscale" in cond:
        return any(_compare(values.get(s), cond["op"], cond["value"]) for s in cond["any_subscale"])
    return _compare(values.get(cond["score"]), cond["op"], cond["value"])


def score(
    defn: ScaleDefinition,
    answers: Sequence[int | None],
    *,
    seconds: Sequence[float] | None = None,
    gender: str | None = None,
    grade: int | None = None,
) -> ScoreResult:
    """Score one answer sheet. `seconds` (per item, optional) feeds the too-fast rule;
    gender and grade choose the norm group where a definition has norms by group."""
    if len(answers) != defn.item_count:
        raise ScoringError(
            _("{scale} has {n} items, but {k} answers were given.").format(
                scale=defn.id, n=defn.item_count, k=len(answers)
            )
        )
    for i, a in enumerate(answers, start=1):
        if a is not None and not defn.is_allowed(i, a):
            raise ScoringError(
                _("Item {item}: {value} is not an option (allowed: {allowed}).").format(
                    item=i, value=a, allowed="/".join(str(v) for v in defn.allowed_values(i))
                ),
                item=i,
            )
    doc = defn.raw
    validity = doc.get("validity", {})
    flags: list[str] = []
    scored = defn.scored_items
    missing = [i for i in scored if answers[i - 1] is None]
    item_scores: dict[int, Number] = {
        i: _item_score(defn, i, answers[i - 1]) for i in scored if answers[i - 1] is not None
    }
    complete = True
    if missing:
        if len(missing) > validity.get("max_missing", 0):
            flags.append(FLAG_MISSING)
            complete = False
        elif validity.get("prorate"):
            mean = Fraction(sum(item_scores.values())) / len(item_scores)
            for i in missing:
                item_scores[i] = mean
            flags.append(FLAG_PRORATED)
        else:
            flags.append(FLAG_MISSING)
            complete = False

    values: dict[str, Number | None] = {}
    decimals: dict[str, int] = {}
    for sid, spec in doc["scores"].items():
        values[sid] = _compute(spec, item_scores, values, scored, complete)
        decimals[sid] = spec.get("decimals", 2)
    subscales: dict[str, float | None] = {}
    for sub in doc.get("subscales", []):
        items = sub["items"]
        if complete:
            total = sum(item_scores[i] for i in items)
            values[sub["id"]] = Fraction(total, len(items)) if sub["method"] == "mean" else total
        else:
            values[sub["id"]] = None
        subscales[sub["id"]] = _round(values[sub["id"]], sub.get("decimals", 2))

    band = None
    if complete and doc.get("bands"):
        # Bands apply to the reported, rounded score: a prorated 4.5 reported as 5 is "mild".
        reported = _Reported(values, decimals)
        band = _band(doc["bands"], reported)

    critical = tuple(
        CriticalAlert(c["item"], answers[c["item"] - 1], c["official"], text_of(c["reason"]))
        for c in doc.get("critical_items", [])
        if answers[c["item"] - 1] is not None and answers[c["item"] - 1] >= c["at_least"]
    )

    missing_critical = tuple(
        c["item"] for c in doc.get("critical_items", []) if answers[c["item"] - 1] is None
    )
    if missing_critical:
        flags.append(FLAG_CRITICAL_BLANK)
    answered = [a for a in answers if a is not None]
    if validity.get("straight_lining") and len(answered) >= 5 and len(set(answered)) == 1:
        flags.append(FLAG_STRAIGHT)
    min_seconds = validity.get("min_seconds_per_item")
    if seconds is not None and min_seconds and sum(seconds) < min_seconds * len(answered):
        flags.append(FLAG_TOO_FAST)
    lie = validity.get("lie_scale")
    if lie and complete:
        lie_total = sum(answers[i - 1] or 0 for i in lie["items"])
        values["lie"] = lie_total
        decimals["lie"] = 0
        if lie_total >= lie["invalid_at_least"]:
            flags.append(FLAG_LIE)

    norm_t = {}
    for sid, norm in _norm_table(doc.get("norms", {}), gender, grade).items():
        v = values.get(sid)
        if v is not None:
            norm_t[sid] = round(50 + 10 * (float(v) - norm["mean"]) / norm["sd"], 1)

    std_id = doc.get("standard_score")
    scores_out = {
        sid: _round(values[sid], decimals[sid])
        for sid in [*doc["scores"], *(["lie"] if "lie" in values else [])]
    }
    return ScoreResult(
        scale=defn.id,
        version=defn.version,
        engine_version=ENGINE_VERSION,
        answers=tuple(answers),
        total=scores_out.get("total"),
        standard_score=scores_out.get(std_id) if std_id else None,
        scores=scores_out,
        subscales=subscales,
        band=band,
        critical=critical,
        valid=not [f for f in flags if f not in WARNING_ONLY],
        flags=tuple(flags),
        norm_t=norm_t,
        missing_items=tuple(missing),
        missing_critical=missing_critical,
    )


def _norm_table(norms: dict, gender: str | None, grade: int | None) -> dict:
    """The first group whose gender and grades match (unset means any), else the plain table."""
    for group in norms.get("groups", []):
        if "gender" in group and group["gender"] != gender:
            continue
        if "grades" in group and grade not in group["grades"]:
            continue
        return group["scores"]
    return norms.get("scores", {})


def _compute(spec: dict, items: dict[int, Number], values: dict, scored: list[int], complete: bool):
    if not complete:
        return None
    method = spec["method"]
    chosen = spec.get("items") or scored
    if method == "sum":
        return sum(items[i] for i in chosen)
    if method == "mean":
        return Fraction(sum(items[i] for i in chosen), len(chosen))
    if method == "count_at_least":
        threshold = _num(spec["threshold"])
        return sum(1 for i in chosen if items[i] >= threshold)
    if method == "count_below":
        threshold = _num(spec["threshold"])
        return sum(1 for i in chosen if items[i] < threshold)
    if method == "mean_of_items_at_least":
        threshold = _num(spec["threshold"])
        hits = [items[i] for i in chosen if items[i] >= threshold]
        return Fraction(sum(hits), len(hits)) if hits else 0
    scaled = Fraction(values[spec["source"]]) * _num(spec["factor"])
    rounding = spec.get("rounding", "none")
    if rounding == "floor":
        return math.floor(scaled)
    if rounding == "half_up":
        return math.floor(scaled + Fraction(1, 2))
    return scaled


def _band(bands: dict, values: dict[str, Number | None]) -> dict | None:
    value = values.get(bands["score"])
    for b in bands["ranges"]:
        if "when" in b:
            hit = _condition(b["when"], values)
        else:
            hit = (
                value is not None
                and ("min" not in b or value >= _num(b["min"]))
                and ("max" not in b or value <= _num(b["max"]))
            )
        if hit:
            return {"id": b["id"], "label": text_of(b["label"])}
    return None
