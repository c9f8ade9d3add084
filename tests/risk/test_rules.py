"""The default warning rules, table-driven: each rule fires on its evidence, the highest level wins."""

import datetime as dt

import pytest

from app.paths import resources_dir
from app.risk.rules import (
    PendingAlert,
    ResultEvidence,
    SessionRisk,
    StudentEvidence,
    counting_results,
    evaluate,
    load_rule_set,
)

RULES = load_rule_set(resources_dir() / "risk" / "default_rules.json")
TODAY = dt.date(2026, 11, 28)
AT = dt.datetime(2026, 11, 1, 9)


def res(scale, band, valid=True, critical=(), flags=(), at=AT, missing_critical=()):
    return ResultEvidence(
        f"r-{scale}-{at:%d%H%M}", scale, band, valid, tuple(critical), at, flags, missing_critical
    )


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
        (
            ev(observations=[("o1", days_ago(1), "routine"), ("o2", days_ago(30), "soon")]),
            "observations",
            "yellow",
        ),
        (ev(observations=[("o1", days_ago(3), "urgent")]), "observation-urgent", "orange"),
        (ev(events=[("e1", "bullying", days_ago(10))]), "life-event", "watch"),
        (ev(diagnosis=True), "diagnosis", "watch"),
        (ev(results=[res("SDS", "normal", valid=False)]), "invalid-result", "watch"),
        (ev(alerts=[PendingAlert("a1", "PHQ-9", 9, True)]), "critical-official", "red"),
        (
            ev(results=[res("PHQ-9", None, valid=False, missing_critical=(9,))]),
            "critical-unanswered",
            "orange",
        ),
        (ev(session=SessionRisk("x1", AT, {"risk_suicide": "high"})), "session-risk-high", "red"),
        (
            ev(session=SessionRisk("x1", AT, {"risk_others": "medium", "risk_suicide": "low"})),
            "session-risk-medium",
            "orange",
        ),
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
        ev(observations=[("o1", days_ago(1), "routine"), ("o2", days_ago(31), "routine")]),
        ev(observations=[("o1", days_ago(15), "urgent")]),  # urgent, but 15 days ago
        ev(referral=("f1", "suggested")),
        ev(results=[res("SDS", "normal", valid=False)]),  # an invalid normal sheet: re-test
        ev(session=SessionRisk("x1", AT, {"risk_suicide": "low", "risk_self_harm": "none"})),
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
    assert match.evidence == (
        {"type": "critical", "id": "r-PHQ-9-010900", "scale": "PHQ-9", "item": 9},
    )


def test_every_positive_band_names_a_real_band_of_its_scale():
    from app.scales.library import shipped_scale

    for scale, bands in RULES["positive_bands"].items():
        known = {b["id"] for b in shipped_scale(scale).raw["bands"]["ranges"]}
        assert set(bands) <= known, scale


@pytest.mark.parametrize("flag", ["too_fast", "straight_lining", "lie_scale"])
def test_validity_flags_never_lower_the_level_the_answers_warrant(flag):
    match = evaluate(RULES, ev(results=[res("PHQ-9", "severe", valid=False, flags=(flag,))]), TODAY)
    assert (match.rule_id, match.level) == ("severe-depression", "red")
    assert match.evidence[0]["flags"] == [flag]


def test_a_later_invalid_retake_does_not_hide_an_earlier_valid_severe_result():
    severe = res("PHQ-9", "severe", at=dt.datetime(2026, 10, 1, 9))
    careless = res("PHQ-9", "minimal", valid=False, flags=("too_fast",), at=AT)
    kept = counting_results([careless, severe])
    assert kept == [severe, careless]
    assert evaluate(RULES, ev(results=kept), TODAY).level == "red"


def test_a_later_valid_result_supersedes_an_earlier_one():
    severe = res("PHQ-9", "severe", at=dt.datetime(2026, 10, 1, 9))
    calm = res("PHQ-9", "minimal", at=AT)
    assert counting_results([severe, calm]) == [calm]


def test_a_broken_rule_is_reported_and_the_others_still_raise():
    from app.risk.rules import RuleFailure

    broken = {
        **RULES,
        "rules": [{"id": "typo", "level": "red", "label": {"zh": "x"}, "when": {"diagnosys": 1}}]
        + RULES["rules"],
    }
    failures: list[RuleFailure] = []
    match = evaluate(broken, ev(results=[res("PHQ-9", "severe")]), TODAY, failures)
    assert (match.rule_id, match.level) == ("severe-depression", "red")
    assert [(f.rule_id, f.student_id) for f in failures] == [("typo", "s1")]
