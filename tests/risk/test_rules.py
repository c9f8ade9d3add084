"""The default warning rules, table-driven: each rule fires on its evidence, the highest level wins."""

import datetime as dt

import pytest

from app.paths import resources_dir
from app.risk.rules import ResultEvidence, StudentEvidence, evaluate, load_rule_set

RULES = load_rule_set(resources_dir() / "risk" / "default_rules.json")
TODAY = dt.date(2026, 11, 28)
AT = dt.datetime(2026, 11, 1, 9)


def res(scale, band, valid=True, critical=()):
    return ResultEvidence(f"r-{scale}", scale, band, valid, tuple(critical), AT)


def ev(**kw):
    return StudentEvidence("s1", **kw)


def days_ago(n):
    return dt.datetime.combine(TODAY - dt.timedelta(days=n), dt.time(9))


@pytest.mark.parametrize(
    ("evidence", "rule", "level"),
    [
        (ev(results=[res("PHQ-9", "minimal", critical=[(9, True)])]), "critical-official", "red"),
        (ev(events=[("e1", "self_harm", days_ago(30))]), "self-harm-event", "red"),
        (ev(results=[res("PHQ-9", "severe")]), "severe-depression", "red"),
        (ev(results=[res("SDS", "normal", critical=[(19, False)])]), "critical-policy", "orange"),
        (ev(results=[res("PHQ-A", "moderately_severe")]), "marked-distress", "orange"),
        (ev(results=[res("K10", "very_high")]), "marked-distress", "orange"),
        (
            ev(results=[res("GAD-7", "moderate")], events=[("e1", "bereavement", days_ago(180))]),
            "screen-plus-event",
            "orange",
        ),
        (ev(referral=("f1", "seen")), "in-treatment", "orange"),
        (ev(results=[res("GAD-7", "moderate")]), "positive-screen", "yellow"),
        (ev(results=[res("SCL-90", "screen_positive")]), "positive-screen", "yellow"),
        (ev(observations=[("o1", days_ago(1)), ("o2", days_ago(30))]), "observations", "yellow"),
        (ev(events=[("e1", "bullying", days_ago(10))]), "life-event", "watch"),
        (ev(diagnosis=True), "diagnosis", "watch"),
        (ev(results=[res("SDS", "moderate", valid=False)]), "invalid-result", "watch"),
    ],
)
def test_each_rule_fires_on_its_evidence(evidence, rule, level):
    match = evaluate(RULES, evidence, TODAY)
    assert (match.rule_id, match.level) == (rule, level)
    assert match.evidence


@pytest.mark.parametrize(
    "evidence",
    [
        ev(),
        ev(results=[res("PHQ-9", "mild"), res("GAD-7", "minimal")]),
        ev(events=[("e1", "bullying", days_ago(181))]),  # just outside the 180-day window
        ev(observations=[("o1", days_ago(1)), ("o2", days_ago(31))]),  # only one within 30 days
        ev(referral=("f1", "suggested")),
        ev(
            results=[res("GAD-7", "severe", valid=False)]
        ),  # an invalid sheet raises watch, not orange
    ],
)
def test_below_every_boundary_nothing_or_only_watch_is_raised(evidence):
    match = evaluate(RULES, evidence, TODAY)
    assert match is None or match.level == "watch"


def test_the_highest_level_wins_and_keeps_its_evidence():
    match = evaluate(
        RULES,
        ev(
            results=[res("GAD-7", "moderate"), res("PHQ-9", "mild", critical=[(9, True)])],
            diagnosis=True,
        ),
        TODAY,
    )
    assert (match.level, match.rule_id) == ("red", "critical-official")
    assert match.evidence == ({"type": "critical", "id": "r-PHQ-9", "scale": "PHQ-9", "item": 9},)


def test_every_positive_band_names_a_real_band_of_its_scale():
    from app.scales.library import get_scale

    for scale, bands in RULES["positive_bands"].items():
        known = {b["id"] for b in get_scale(scale).raw["bands"]["ranges"]}
        assert set(bands) <= known, scale
