"""Reference values worked by hand from the published formulas (never from a definition file)."""

import pytest

from app.scales.statistics import mean_interval, reliable_change, t_critical, wilson


def test_wilson_interval_for_2_of_10():
    # p = .2, z² = 3.8415: centre = (.2 + .19207) / 1.38415 = .28326,
    # half = 1.96 × √(.016 + .0096) / 1.38415 = .22658  →  .0567 – .5098
    iv = wilson(2, 10)
    assert (round(iv.estimate, 4), round(iv.low, 4), round(iv.high, 4)) == (0.2, 0.0567, 0.5098)


def test_wilson_interval_never_leaves_0_to_1():
    iv = wilson(0, 12)
    assert iv.low == 0.0 and round(iv.high, 4) == 0.2425  # z² / (n + z²) = 3.8415 / 15.8415


def test_no_interval_without_sheets():
    assert wilson(0, 0) is None and mean_interval([]) is None


def test_mean_interval_uses_t_with_n_minus_1():
    # mean 8, SD = √(40 / 4) = 3.1623, t(4) = 2.776: half = 2.776 × 3.1623 / √5 = 3.926
    iv = mean_interval([4, 6, 8, 10, 12])
    assert (iv.estimate, round(iv.low, 2), round(iv.high, 2)) == (8, 4.07, 11.93)


@pytest.mark.parametrize(("df", "t"), [(1, 12.706), (4, 2.776), (35, 2.030), (1000, 1.962)])
def test_t_critical_values(df, t):
    assert round(t_critical(df), 3) == t


def test_reliable_change_index_jacobson_truax():
    # PHQ-9 15 → 6 with r = .84, SD = 3.52: SE = 3.52 × .4 = 1.408, S_diff = 1.9912,
    # RCI = −9 / 1.9912 = −4.52: a reliable fall
    rc = reliable_change(15, 6, 0.84, 3.52)
    assert (round(rc.s_diff, 4), round(rc.rci, 2), rc.direction) == (1.9912, -4.52, "down")


def test_a_small_change_is_not_reliable():
    # GAD-7 8 → 10 with r = .83, SD = 3.41: S_diff = 3.41 × √.17 × √2 = 1.9883, RCI = 1.01
    rc = reliable_change(8, 10, 0.83, 3.41)
    assert (round(rc.rci, 2), rc.reliable, rc.direction) == (1.01, False, "none")
