"""The per-student report says what the scores mean: reference values worked by hand from the
published scoring rules (Derogatis; 金华 et al. 1986 norm; Jacobson & Truax 1991)."""

import datetime as dt

import pytest

from app.services import assessments, printing, students
from tests.reports.test_documents import text


@pytest.fixture
def kid(populated_vault):
    return students.search_students(populated_vault, limit=1)[0]


def scl90_sheet() -> list[int]:
    """Every item 1 (not at all) except five obsessive–compulsive items at 3 and item 45 at 2."""
    answers = [1] * 90
    for item in (3, 9, 10, 28, 38):
        answers[item - 1] = 3
    answers[45 - 1] = 2
    return answers


def test_scl90_prints_its_four_indices_worked_by_hand(populated_vault, kid):
    row, _r = assessments.record_result(
        populated_vault, kid.id, "SCL-90", scl90_sheet(), mode="paper"
    )
    body = text(printing.assessment_report(populated_vault, row.id)[0])
    assert "总分101" in body  # 84 + 15 + 2
    assert "总均分（1–5）1.12" in body  # 101 / 90 = 1.122
    assert "阳性项目数（≥2分的题数）6" in body
    assert "阴性项目数84" in body
    assert "阳性症状均分2.83" in body  # (5×3 + 2) / 6 = 2.833


def test_scl90_factors_stay_on_their_own_scale_with_t_beside(populated_vault, kid):
    row, _r = assessments.record_result(
        populated_vault, kid.id, "SCL-90", scl90_sheet(), mode="paper"
    )
    body = text(printing.assessment_report(populated_vault, row.id)[0])
    # 强迫症状: (5×3 + 2 + 4×1) / 10 = 2.1 ≥ 2; T = 50 + 10 × (2.1 − 1.62) / 0.58 = 58.3
    assert "强迫症状2.1▲≥258.3" in body
    assert "达到划界的因子（▲）：强迫症状" in body


def test_an_adult_norm_for_a_young_student_carries_a_caveat(populated_vault, kid):
    row, _r = assessments.record_result(
        populated_vault, kid.id, "SCL-90", scl90_sheet(), mode="paper"
    )
    body = text(printing.assessment_report(populated_vault, row.id)[0])
    assert "1,388名中国成人常模" in body.replace(" ", "")
    assert "该生不在此常模人群内（量表适用于16岁及以上" in body


def test_validity_is_explained_in_words_never_a_code(populated_vault, kid):
    row, _r = assessments.record_result(
        populated_vault, kid.id, "PHQ-9", [1] * 9, mode="kiosk", seconds=[0.2] * 9
    )
    body = text(printing.assessment_report(populated_vault, row.id)[0])
    assert "作答速度快于每题1秒" in body and "too_fast" not in body


def test_mht_prints_the_lie_scale_and_flags_content_scales_at_8(populated_vault, kid):
    answers = [0] * 100
    for item in range(1, 9):  # eight of the fifteen 学习焦虑 items
        answers[item - 1] = 1
    row, _r = assessments.record_result(populated_vault, kid.id, "MHT", answers, mode="paper")
    body = text(printing.assessment_report(populated_vault, row.id)[0])
    assert "效度（测谎）量表0（≥7分则作答不可信）" in body
    assert "学习焦虑8▲≥8" in body


def test_every_report_has_the_scales_own_interpretation(populated_vault, kid):
    row, _r = assessments.record_result(populated_vault, kid.id, "GAD-7", [1] * 7, mode="paper")
    body = text(printing.assessment_report(populated_vault, row.id)[0])
    assert "本量表为筛查工具，结果不等于诊断" in body and "量表定义未提供解释文本" not in body


def test_the_change_since_last_time_is_judged_by_the_reliable_change_index(populated_vault, kid):
    earlier = dt.datetime(2026, 3, 10, 9)
    assessments.record_result(
        populated_vault,
        kid.id,
        "PHQ-9",
        [2, 2, 2, 2, 2, 2, 2, 1, 0],
        mode="paper",
        administered_at=earlier,
    )  # 15
    row, _r = assessments.record_result(
        populated_vault, kid.id, "PHQ-9", [1, 1, 1, 1, 1, 1, 0, 0, 0], mode="paper"
    )  # 6
    body = text(printing.assessment_report(populated_vault, row.id)[0])
    # SE = 3.52 × √(1 − 0.84) = 1.408; S_diff = √2 × 1.408 = 1.9912; RCI = −9 / 1.9912 = −4.52
    assert "上次（2026-03-10）总分15，本次6（变化-9）" in body
    assert "RCI=-4.52（可靠下降" in body.replace(" ", "")
