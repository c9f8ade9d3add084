"""Scoring, table-driven: every band boundary, reverse items, missing items, critical items, validity."""

import pytest

from app.scales.library import shipped_scale, shipped_scales
from app.scales.scoring import ENGINE_VERSION, ScoringError, score
from tests.scales.helpers import answers_for_total


def boundary_cases():
    """(scale, total, band) at both ends of every numeric band on a summed score."""
    for d in shipped_scales().values():
        bands = d.raw.get("bands")
        spec = d.raw["scores"].get(bands["score"]) if bands else None
        if not spec or spec["method"] != "sum":
            continue
        for b in bands["ranges"]:
            if "min" in b and "max" in b:
                for total in sorted({b["min"], b["max"]}):
                    yield pytest.param(d.id, total, b["id"], id=f"{d.id}-{total}-{b['id']}")


@pytest.mark.parametrize(("scale_id", "total", "band"), list(boundary_cases()))
def test_band_at_every_boundary(scale_id, total, band):
    d = shipped_scale(scale_id)
    items = d.raw["scores"][d.raw["bands"]["score"]].get("items")
    result = score(d, answers_for_total(d, total, items))
    assert result.scores[d.raw["bands"]["score"]] == total
    assert result.band["id"] == band


def test_every_summed_scale_is_covered_by_the_boundary_table():
    covered = {p.values[0] for p in boundary_cases()}
    assert covered == {
        "PHQ-9",
        "PHQ-A",
        "PHQ-2",
        "GAD-7",
        "GAD-2",
        "K10",
        "K6",
        "CES-D",
        "CES-DC",
        "RSES",
        "DSRSC",
        "UCLA-3",
        "SCARED",
        "MHT",
    }


@pytest.mark.parametrize(
    ("raw", "standard", "band"),
    [
        (20, 25, "normal"),
        (41, 51, "normal"),
        (42, 52, "normal"),
        (43, 53, "mild"),
        (50, 62, "mild"),
        (51, 63, "moderate"),
        (58, 72, "moderate"),
        (59, 73, "severe"),
        (80, 100, "severe"),
    ],
)
def test_sds_standard_score_takes_the_integer_part(raw, standard, band):
    d = shipped_scale("SDS")
    result = score(d, answers_for_total(d, raw))
    assert (result.total, result.standard_score, result.band["id"]) == (raw, standard, band)


@pytest.mark.parametrize(
    ("raw", "standard", "band"),
    [
        (39, 48, "normal"),
        (40, 50, "mild"),
        (47, 58, "mild"),
        (48, 60, "moderate"),
        (55, 68, "moderate"),
        (56, 70, "severe"),
    ],
)
def test_sas_standard_score_bands(raw, standard, band):
    d = shipped_scale("SAS")
    result = score(d, answers_for_total(d, raw))
    assert (result.standard_score, result.band["id"]) == (standard, band)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (60, "none"),
        (119, "none"),
        (120, "mild"),
        (179, "mild"),
        (180, "moderate"),
        (240, "marked"),
        (299, "marked"),
        (300, "severe"),
    ],
)
def test_mssmhs_bands_on_the_total_mean(total, band):
    d = shipped_scale("MSSMHS")
    result = score(d, answers_for_total(d, total))
    assert result.band["id"] == band
    assert result.scores["total_mean"] == round(total / 60, 2)


# Total 160 with 18 positive items and every factor mean below 2 ('other' items at 5 do not count).
TOTAL_160 = dict.fromkeys([19, 44, 59, 60, 64, 66, 89], 5) | {
    1: 5,
    4: 5,
    12: 4,
    3: 5,
    9: 5,
    6: 5,
    21: 5,
    5: 5,
    14: 5,
    15: 5,
    2: 4,
}


def scl(values: dict[int, int]) -> list[int]:
    return [values.get(i, 1) for i in range(1, 91)]


@pytest.mark.parametrize(
    ("answers", "band"),
    [
        (scl({}), "screen_negative"),
        (scl(TOTAL_160), "screen_negative"),
        (scl(TOTAL_160 | {90: 2}), "screen_positive"),  # total 161
        (
            scl(
                dict.fromkeys(
                    [
                        1,
                        2,
                        3,
                        5,
                        6,
                        7,
                        8,
                        11,
                        13,
                        16,
                        18,
                        19,
                        20,
                        21,
                        22,
                        23,
                        24,
                        25,
                        26,
                        27,
                        28,
                        29,
                        30,
                        31,
                        32,
                        33,
                        34,
                        35,
                        36,
                        37,
                        38,
                        39,
                        40,
                        41,
                        42,
                        43,
                        44,
                        45,
                        46,
                        47,
                        48,
                        49,
                        50,
                    ],
                    2,
                )
            ),
            "screen_negative",
        ),
        (scl(dict.fromkeys(range(1, 45), 2)), "screen_positive"),  # 44 positive items
        (
            scl(dict.fromkeys([11, 24, 63, 67, 74, 81], 2)),
            "screen_positive",
        ),  # hostility mean exactly 2
        (scl(dict.fromkeys([11, 24, 63, 67, 74], 2)), "screen_negative"),  # hostility 1.83
        (
            scl(dict.fromkeys([19, 44, 59, 60, 64, 66, 89], 3)),
            "screen_negative",
        ),  # 'other' does not count
    ],
)
def test_scl90_screening_rule_boundaries(answers, band):
    assert score(shipped_scale("SCL-90"), answers).band["id"] == band


def test_the_160_sheet_is_what_it_claims():
    r = score(shipped_scale("SCL-90"), scl(TOTAL_160))
    assert (r.total, r.scores["positive_items"]) == (160, 18)
    assert max(v for k, v in r.subscales.items() if k != "additional") < 2


def test_scl90_indices():
    answers = scl(dict.fromkeys([11, 24, 63, 67, 74, 81], 3) | {1: 5})
    r = score(shipped_scale("SCL-90"), answers)
    assert r.total == 90 + 12 + 4
    assert (r.scores["positive_items"], r.scores["negative_items"]) == (7, 83)
    assert r.scores["positive_symptom_mean"] == round((6 * 3 + 5) / 7, 2)
    assert r.subscales["hostility"] == 3 and r.subscales["somatization"] == round(16 / 12, 2)
    assert r.norm_t["hostility"] == round(50 + 10 * (3 - 1.48) / 0.56, 1)


def test_subscale_cutoffs_and_sums_for_scared():
    d = shipped_scale("SCARED")
    answers = [0] * 41
    for i in (2, 11, 17):
        answers[i - 1] = 1
    r = score(d, answers)
    assert r.subscales["school_avoidance"] == 3 and r.total == 3


@pytest.mark.parametrize(
    "scale_id", sorted(s for s, d in shipped_scales().items() if d.reverse_items)
)
def test_reverse_items_at_both_extremes(scale_id):
    d = shipped_scale(scale_id)
    lo = [min(d.allowed_values(i)) for i in range(1, d.item_count + 1)]
    hi = [max(d.allowed_values(i)) for i in range(1, d.item_count + 1)]
    n_rev = len(d.reverse_items)
    n_fwd = len(d.scored_items) - n_rev
    vmin, vmax = min(d.allowed_values(1)), max(d.allowed_values(1))
    assert score(d, lo).total == n_rev * vmax + n_fwd * vmin
    assert score(d, hi).total == n_rev * vmin + n_fwd * vmax


def test_phq9_with_a_blank_item_is_incomplete_with_the_blank_items_named():
    r = score(shipped_scale("PHQ-9"), [2, 2, 2, 2, 2, 2, 2, None, 1])
    assert (r.total, r.band, r.valid) == (None, None, False)
    assert r.flags == ("too_many_missing",) and r.missing_items == (8,)
    assert r.critical_items == [9] and r.missing_critical == ()


def test_phq9_with_item_9_blank_is_never_reported_as_complete_or_free_of_risk():
    r = score(shipped_scale("PHQ-9"), [3, 3, 3, 3, 3, 3, 3, 3, None])
    assert (r.total, r.valid, r.missing_items, r.missing_critical) == (None, False, (9,), (9,))
    assert r.flags == ("too_many_missing", "critical_unanswered")


def _prorating_phq9():
    """PHQ-9 as a scale that does allow prorating 2 items (Arrieta 2017), for the engine rule."""
    import copy

    from app.scales.definition import parse_definition

    doc = copy.deepcopy(shipped_scale("PHQ-9").raw)
    doc["validity"] = {"max_missing": 2, "prorate": True}
    return parse_definition(doc)


def test_a_prorated_total_gets_the_band_of_its_reported_rounded_value():
    r = score(_prorating_phq9(), [1, 1, 1, 1, 0, 0, 0, 0, None])
    assert (r.total, r.band["id"], r.valid, r.flags) == (
        5,
        "mild",
        True,
        ("prorated", "critical_unanswered"),
    )


def test_a_reported_total_always_has_a_band():
    d = _prorating_phq9()
    for blank in range(9):
        for level in range(4):
            answers = [level if i % 2 else max(0, level - 1) for i in range(9)]
            answers[blank] = None
            r = score(d, answers)
            assert r.total is not None and r.band is not None, answers


def test_a_scale_without_a_prorating_rule_refuses_any_missing_item():
    r = score(shipped_scale("GAD-7"), [1, 1, 1, None, 1, 1, 1])
    assert r.total is None and "too_many_missing" in r.flags


@pytest.mark.parametrize(
    ("scale_id", "item", "answer"),
    [
        ("PHQ-9", 9, 1),
        ("PHQ-A", 9, 1),
        ("PHQ-A", 12, 1),
        ("PHQ-A", 13, 1),
        ("SDS", 19, 2),
        ("SCL-90", 15, 2),
        ("SCL-90", 59, 2),
        ("MHT", 85, 1),
        ("MHT", 97, 1),
        ("DSRSC", 10, 1),
    ],
)
def test_a_critical_answer_alerts_even_with_a_low_total(scale_id, item, answer):
    d = shipped_scale(scale_id)
    answers = [min(d.allowed_values(i)) for i in range(1, d.item_count + 1)]
    for i in d.reverse_items:
        answers[i - 1] = max(d.allowed_values(i))
    answers[item - 1] = answer
    r = score(d, answers)
    assert r.critical_items == [item]
    assert r.band is None or r.band["id"] in (
        "minimal",
        "normal",
        "below",
        "screen_negative",
        "not_high",
    )


def test_a_critical_answer_one_below_its_threshold_does_not_alert():
    d = shipped_scale("SDS")
    answers = answers_for_total(d, 20)
    answers[18] = 1
    assert score(d, answers).critical_items == []


def test_official_and_school_policy_alerts_are_told_apart():
    phq = score(shipped_scale("PHQ-9"), [0] * 8 + [2]).critical[0]
    sds_answers = answers_for_total(shipped_scale("SDS"), 20)
    sds_answers[18] = 4
    sds = score(shipped_scale("SDS"), sds_answers).critical[0]
    assert phq.official and not sds.official
    assert "学校政策" in sds.reason


def test_straight_lining_flags_a_scale_with_reverse_items():
    r = score(shipped_scale("SDS"), [2] * 20)
    assert r.total == 50 and not r.valid and "straight_lining" in r.flags


def test_answering_too_fast_is_flagged():
    d = shipped_scale("GAD-7")
    assert "too_fast" in score(d, [1] * 7, seconds=[0.3] * 7).flags
    assert score(d, [1] * 7, seconds=[2.0] * 7).valid


@pytest.mark.parametrize(("lie_yes", "valid"), [(6, True), (7, False)])
def test_the_mht_lie_scale_invalidates_at_seven(lie_yes, valid):
    answers = [0] * 100
    for i in list(range(82, 101, 2))[:lie_yes]:
        answers[i - 1] = 1
    r = score(shipped_scale("MHT"), answers)
    assert (r.valid, r.scores["lie"], r.total) == (valid, lie_yes, 0)


def test_wrong_answer_count_and_values_are_refused_in_chinese():
    with pytest.raises(ScoringError, match="PHQ-9 共 9 题，但给出了 3 个答案"):
        score(shipped_scale("PHQ-9"), [1, 2, 3])
    with pytest.raises(ScoringError, match="第 3 题：4 不是有效选项"):
        score(shipped_scale("PHQ-9"), [0, 0, 4, 0, 0, 0, 0, 0, 0])


def test_a_result_records_versions_and_raw_answers_and_rescores_identically():
    d = shipped_scale("K10")
    r = score(d, [1, 2, 3, 4, 5, 1, 2, 3, 4, 5])
    assert (r.scale, r.version, r.engine_version) == ("K10", "1.0.0", ENGINE_VERSION)
    assert score(d, list(r.answers)) == r


def test_norms_by_gender_and_grade_choose_the_matching_group():
    from app.scales.definition import parse_definition

    doc = {k: v for k, v in shipped_scale("GAD-2").raw.items() if k != "items"}
    doc["licence"] = {**doc["licence"], "item_texts": False}
    doc["norms"] = {
        "source": "synthetic norms for the test",
        "groups": [
            {"gender": "F", "grades": [7, 8, 9], "scores": {"total": {"mean": 2.0, "sd": 1.0}}},
            {"gender": "M", "scores": {"total": {"mean": 1.0, "sd": 2.0}}},
        ],
        "scores": {"total": {"mean": 3.0, "sd": 1.0}},
    }
    d = parse_definition(doc)
    assert score(d, [2, 2], gender="F", grade=8).norm_t == {"total": 70.0}
    assert score(d, [2, 2], gender="M", grade=11).norm_t == {"total": 65.0}
    assert score(d, [2, 2], gender="F", grade=11).norm_t == {"total": 60.0}
