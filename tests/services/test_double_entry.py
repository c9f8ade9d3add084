"""Double data entry: two blind passes kept apart, a second person, reconciliation by the paper."""

import pytest

from app.errors import ValidationError
from app.services import assessments, double_entry, students, warnings


@pytest.fixture
def pupils(populated_vault):
    return students.search_students(populated_vault, limit=2)


GAD_FIRST = [1, 2, 0, 1, 1, 0, 0]


def test_a_first_pass_is_kept_but_not_in_the_archive(populated_vault, pupils):
    out = double_entry.save_passes(populated_vault, "GAD-7", [(pupils[0].id, GAD_FIRST)])
    assert out.first == (pupils[0].id,)
    assert assessments.history(populated_vault, pupils[0].id) == []
    [sheet] = double_entry.open_sheets(populated_vault)
    assert (sheet.awaiting, sheet.first_by, sheet.second_by) == ("second_pass", "王老师", None)


def test_the_same_user_cannot_type_the_second_pass_without_a_reason(populated_vault, pupils):
    double_entry.save_passes(populated_vault, "GAD-7", [(pupils[0].id, GAD_FIRST)])
    with pytest.raises(double_entry.SameEnterer, match="第一遍由您本人录入"):
        double_entry.save_passes(populated_vault, "GAD-7", [(pupils[0].id, GAD_FIRST)])
    out = double_entry.save_passes(
        populated_vault,
        "GAD-7",
        [(pupils[0].id, GAD_FIRST)],
        same_user_reason="本校只有一名心理教师",
    )
    [row] = out.matched
    assert row.total == 5


def test_agreeing_passes_by_two_people_enter_the_archive_at_once(populated_vault, li, pupils):
    double_entry.save_passes(populated_vault, "GAD-7", [(pupils[0].id, GAD_FIRST)])
    out = double_entry.save_passes(li, "GAD-7", [(pupils[0].id, GAD_FIRST)])
    [row] = assessments.history(populated_vault, pupils[0].id)
    assert (row.id, row.total, row.mode) == (out.matched[0].id, 5, "paper")
    assert double_entry.open_sheets(populated_vault) == []


def test_differing_passes_wait_with_both_values_and_the_cell_on_paper(populated_vault, li, pupils):
    double_entry.save_passes(populated_vault, "GAD-7", [(pupils[0].id, GAD_FIRST)])
    second = [1, 2, 0, 3, 1, 0, 1]
    out = double_entry.save_passes(li, "GAD-7", [(pupils[0].id, second)])
    assert out.matched == () and len(out.to_reconcile) == 1
    assert assessments.history(populated_vault, pupils[0].id) == []
    [sheet] = double_entry.open_sheets(populated_vault)
    assert sheet.awaiting == "reconcile"
    assert [(d.item, d.first, d.second, d.cell) for d in sheet.differences] == [
        (4, 1, 3, "第 1 行第 4 格"),
        (7, 0, 1, "第 1 行第 7 格"),
    ]


def test_reconciliation_takes_a_third_value_and_needs_every_item(populated_vault, li, pupils):
    double_entry.save_passes(populated_vault, "GAD-7", [(pupils[0].id, GAD_FIRST)])
    double_entry.save_passes(li, "GAD-7", [(pupils[0].id, [1, 2, 0, 3, 1, 0, 1])])
    [sheet] = double_entry.open_sheets(populated_vault)
    with pytest.raises(ValidationError, match="第 7 题仍不一致"):
        double_entry.reconcile(populated_vault, sheet.id, {4: 2})
    with pytest.raises(ValidationError, match="5 不是本答卷的选项"):
        double_entry.reconcile(populated_vault, sheet.id, {4: 5, 7: 0})
    row = double_entry.reconcile(populated_vault, sheet.id, {4: 2, 7: 0})
    # 1 + 2 + 0 + 2 (the paper's third value) + 1 + 0 + 0
    assert row.total == 6
    assert [r.id for r in assessments.history(populated_vault, pupils[0].id)] == [row.id]


def test_the_plan_agreement_counts_items_compared_and_differing(populated_vault, li, pupils):
    sheets = [(pupils[0].id, GAD_FIRST), (pupils[1].id, [0] * 7)]
    double_entry.save_passes(populated_vault, "GAD-7", sheets)
    double_entry.save_passes(
        li, "GAD-7", [(pupils[0].id, [1, 2, 0, 3, 1, 0, 1]), (pupils[1].id, [0] * 7)]
    )
    figure = double_entry.agreement(populated_vault, None)
    assert (figure.sheets, figure.items, figure.differing, figure.open_sheets) == (2, 14, 2, 1)
    assert round(figure.rate, 1) == 85.7  # 12 of 14


def test_a_critical_answer_in_the_first_pass_warns_before_reconciliation(populated_vault, pupils):
    double_entry.save_passes(populated_vault, "PHQ-9", [(pupils[0].id, [0] * 8 + [2])])
    assert assessments.history(populated_vault, pupils[0].id) == []
    assert [(a.student_id, a.item, a.answer) for a in assessments.open_alerts(populated_vault)] == [
        (pupils[0].id, 9, 2)
    ]
    assert [w.student_id for w in warnings.queue(populated_vault)] == [pupils[0].id]


def test_a_sheet_typed_twice_is_not_typed_a_third_time(populated_vault, li, pupils):
    double_entry.save_passes(populated_vault, "GAD-7", [(pupils[0].id, GAD_FIRST)])
    double_entry.save_passes(li, "GAD-7", [(pupils[0].id, [3] * 7)])
    with pytest.raises(ValidationError, match="等待核对"):
        double_entry.save_passes(li, "GAD-7", [(pupils[0].id, GAD_FIRST)])


def test_a_positive_band_on_a_typed_pass_warns_before_reconciliation(populated_vault, pupils):
    from app.services import warning_detail

    # PHQ-9 total 15 (中重度, positive), item 9 unmarked: a band, not a critical answer
    double_entry.save_passes(populated_vault, "PHQ-9", [(pupils[0].id, [2] * 7 + [1, 0])])
    assert assessments.history(populated_vault, pupils[0].id) == []
    [w] = warnings.queue(populated_vault)
    assert w.student_id == pupils[0].id
    detail = warning_detail.detail(populated_vault, w.id)
    assert any("双录入尚未核对" in line for line in detail.evidence)


def test_a_positive_band_on_either_pass_counts(populated_vault, li, pupils):
    double_entry.save_passes(populated_vault, "PHQ-9", [(pupils[0].id, [0] * 9)])
    assert warnings.queue(populated_vault) == []
    double_entry.save_passes(li, "PHQ-9", [(pupils[0].id, [2] * 7 + [1, 0])])  # differs: waits
    assert [w.student_id for w in warnings.queue(populated_vault)] == [pupils[0].id]
