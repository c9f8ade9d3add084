"""What a result means, in words a parent could read: validity flags explained, the scale's own
indices named, factor scores that pass their cut-off, and whether the norm fits this student.

Screening language throughout: a result suggests, it never diagnoses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.i18n import N_, _
from app.scales.definition import ScaleDefinition, text_of
from app.scales.scoring import (
    FLAG_CRITICAL_BLANK,
    FLAG_LIE,
    FLAG_MISSING,
    FLAG_PRORATED,
    FLAG_STRAIGHT,
    FLAG_TOO_FAST,
)

# Each flag as the counselor would say it, with what to do about it.
FLAG_EXPLAINED = {
    FLAG_MISSING: N_(
        "Some items were left blank, more than the scale allows: the scores cannot be computed. "
        "Ask the student to finish the sheet, or talk with them."
    ),
    FLAG_PRORATED: N_(
        "A few items were left blank and filled with the mean of the answered ones, as the "
        "scale's manual allows: the score is an estimate."
    ),
    FLAG_STRAIGHT: N_(
        "The same answer was given to every item, including those worded the other way: the "
        "student may not have read the items. Re-test or talk with the student."
    ),
    FLAG_TOO_FAST: N_(
        "The sheet was answered faster than one second per item: the items may not have been "
        "read. Re-test or talk with the student."
    ),
    FLAG_LIE: N_(
        "The lie (validity) scale is high: the student may have answered to look good rather "
        "than as things are. Do not rely on these scores; re-test or talk with the student."
    ),
    FLAG_CRITICAL_BLANK: N_(
        "An item about self-harm or suicide was left blank: ask the student about it in person "
        "the same day."
    ),
}

SCORE_LABELS = {
    "total": N_("Total score"),
    "total_mean": N_("Total mean (1–5)"),
    "positive_items": N_("Positive items (scored 2 or more)"),
    "negative_items": N_("Negative items"),
    "positive_symptom_mean": N_("Positive symptom mean"),
    "standard": N_("Standard score"),
    "lie": N_("Lie (validity) scale"),
}


def explain_flag(flag: str) -> str:
    """A flag in plain words; an unknown flag (from a newer version) says so, never a code."""
    if flag in FLAG_EXPLAINED:
        return _(FLAG_EXPLAINED[flag])
    return _("A check this version does not know failed; rescore the result.")


def score_label(score_id: str) -> str:
    return _(SCORE_LABELS[score_id]) if score_id in SCORE_LABELS else score_id


@dataclass(frozen=True)
class Factor:
    id: str
    name: str
    value: float | None
    t_score: float | None
    cutoff: float | None
    over: bool  # at or past the factor's own cut-off
    bounds: tuple[float, float] = (0, 0)  # the lowest and highest score possible


def factors(defn: ScaleDefinition, subscales: dict, norm_t: dict) -> list[Factor]:
    """Each subscale on its own scale (a 1–5 mean stays a mean; a T score is a column of its
    own), with its cut-off where the definition gives one."""
    out = []
    screen = _screen_cutoff(defn)
    for sub in defn.raw.get("subscales", []):
        value = subscales.get(sub["id"])
        cutoff = sub.get("cutoff")
        if cutoff is None and sub.get("counts_for_screening", True):
            cutoff = screen
        over = value is not None and cutoff is not None and value >= cutoff
        lows = [defn.bounds[i - 1][0] for i in sub["items"]]
        highs = [defn.bounds[i - 1][1] for i in sub["items"]]
        mean = sub["method"] == "mean"
        bounds = (min(lows), max(highs)) if mean else (sum(lows), sum(highs))
        out.append(
            Factor(
                sub["id"],
                text_of(sub["name"]),
                value,
                norm_t.get(sub["id"]),
                cutoff,
                over,
                bounds,
            )
        )
    return out


def _screen_cutoff(defn: ScaleDefinition) -> float | None:
    """The value an `any_subscale` rule in the bands compares factors with (SCL-90: ≥ 2)."""

    def walk(cond) -> float | None:
        if isinstance(cond, dict):
            if "any_subscale" in cond and cond.get("op") in (">=", ">"):
                return cond["value"]
            for v in cond.values():
                hit = walk(v)
                if hit is not None:
                    return hit
        if isinstance(cond, list):
            for v in cond:
                hit = walk(v)
                if hit is not None:
                    return hit
        return None

    return walk(defn.raw.get("bands", {}))


def indices(defn: ScaleDefinition, scores: dict) -> list[tuple[str, float]]:
    """The scale's own indices besides the total (SCL-90: 总均分, 阳性项目数 …), named; the
    standard score and the lie scale are printed in their own places."""
    return [
        (score_label(k), v)
        for k, v in scores.items()
        if k not in ("total", "standard", "lie") and v is not None
    ]


def age_on(birth: dt.date | None, day: dt.date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def outside_population(
    defn: ScaleDefinition, age: int | None, grade_level: int | None
) -> str | None:
    """Why this student is outside the scale's stated range (None when inside or unknown).
    Without a birth date the age is taken as the grade's usual age (grade + 6)."""
    el = defn.raw.get("eligible") or {}
    if grade_level is not None:
        if "min_grade" in el and grade_level < el["min_grade"]:
            return _("the scale is meant for grade {g} and above").format(g=el["min_grade"])
        if "max_grade" in el and grade_level > el["max_grade"]:
            return _("the scale is meant for grade {g} and below").format(g=el["max_grade"])
    if age is None and grade_level is not None:
        age = grade_level + 6
    if age is not None:
        if "min_age" in el and age < el["min_age"]:
            return _("the scale is meant for ages {a} and above; the student is {age}").format(
                a=el["min_age"], age=age
            )
        if "max_age" in el and age > el["max_age"]:
            return _("the scale is meant for ages up to {a}; the student is {age}").format(
                a=el["max_age"], age=age
            )
    return None


def stated_range(el: dict) -> str:
    """The scale's stated ages or grades in words ("12 岁及以上", "4–12 年级")."""
    if "min_grade" in el or "max_grade" in el:
        return _("grades {lo}–{hi}").format(lo=el.get("min_grade", 1), hi=el.get("max_grade", 12))
    if "min_age" in el and "max_age" in el:
        return _("ages {lo}–{hi}").format(lo=el["min_age"], hi=el["max_age"])
    if "min_age" in el:
        return _("ages {lo} and above").format(lo=el["min_age"])
    return ""


def norm_note(defn: ScaleDefinition, outside: str | None) -> str:
    """Where the norm or cut-offs come from and whom they describe, and the caveat when this
    student is not one of them (never a silent adult norm)."""
    norms = defn.raw.get("norms") or {}
    el = defn.raw.get("eligible") or {}
    population = text_of(norms.get("population") or el.get("population")) or stated_range(el)
    source = norms.get("source") or defn.raw.get("bands", {}).get("source", "")
    text = _("Norm and cut-offs: {source}.").format(source=source) if source else ""
    if population:
        text += " " + _("They describe: {who}.").format(who=population)
    if outside:
        text += " " + _(
            "This student is outside that population ({why}): the bands and T scores are "
            "for reference only; judge from the interview."
        ).format(why=outside)
    return text.strip()
