"""The risk path through the services: every kind of evidence raises its warning in the same
transaction, validity never lowers a level, blanks are explicit, one bad rule stops nothing."""

import datetime as dt

import pytest
from sqlalchemy import select

from app.errors import ValidationError
from app.models import Warning, WarningTask
from app.risk.ruleset import RuleSetError, validate_rule_set
from app.services import alerts, assessments, records, students, warnings
from app.services.warning_rules import default_rules, save_rule_set

SEVERE = [3, 3, 3, 3, 3, 2, 2, 2, 0]  # total 21, item 9 = 0


@pytest.fixture
def kids(populated_vault):
    return students.search_students(populated_vault, limit=4)


def levels(vault):
    return {(w.student_id, w.level, w.rule_id) for w in warnings.queue(vault)}


def test_a_severe_screen_raises_red_at_once_without_any_button(populated_vault, kids):
    assessments.record_result(populated_vault, kids[0].id, "PHQ-9", SEVERE, mode="paper")
    assert levels(populated_vault) == {(kids[0].id, "red", "severe-depression")}


@pytest.mark.parametrize("seconds", [0.8, 2.0])
def test_answering_fast_adds_a_flag_and_keeps_the_level(populated_vault, kids, seconds):
    row, _r = assessments.record_result(
        populated_vault, kids[0].id, "PHQ-9", SEVERE, mode="kiosk", seconds=[seconds] * 9
    )
    [w] = warnings.queue(populated_vault)
    assert (w.level, w.rule_id) == ("red", "severe-depression")
    assert w.flags == (("too_fast",) if seconds < 1 else ())
    assert row.valid == (seconds >= 1)


def test_a_later_too_fast_retake_does_not_hide_the_earlier_severe_one(populated_vault, kids):
    earlier = dt.datetime.now() - dt.timedelta(days=3)
    assessments.record_result(
        populated_vault, kids[0].id, "PHQ-9", SEVERE, mode="paper", administered_at=earlier
    )
    [w] = warnings.queue(populated_vault)
    warnings.review(populated_vault, w.id, confirmed=False, note="测试：撤销后重新评估")
    assessments.record_result(
        populated_vault, kids[0].id, "PHQ-9", [0] * 9, mode="kiosk", seconds=[0.2] * 9
    )
    warnings.evaluate_all(populated_vault)
    assert levels(populated_vault) == {(kids[0].id, "red", "severe-depression")}


def test_a_blank_item_9_raises_orange_with_a_task_due_today(populated_vault, kids):
    row, result = assessments.record_result(
        populated_vault, kids[0].id, "PHQ-9", [1, 1, 1, 1, 0, 0, 0, 0, None], mode="paper"
    )
    assert (row.total, row.valid, result.missing_critical) == (None, False, (9,))
    [w] = warnings.queue(populated_vault)
    assert (w.level, w.rule_id, w.evidence[0]["item"]) == ("orange", "critical-unanswered", 9)
    with populated_vault.session() as s:
        [task] = s.scalars(select(WarningTask).where(WarningTask.warning_id == w.id))
        assert (task.title, task.due_on) == ("当天当面核实未作答的危机条目", dt.date.today())
    [alert] = alerts.pending(populated_vault)
    assert "PHQ-9 第9题「有不如死掉或用某种方式伤害自己的念头」：未作答" in alert.details


def test_a_blank_item_9_stored_before_blanks_were_recorded_still_raises_orange(
    populated_vault, kids
):
    """A result from release 0.1 has no stored list of blank items: its answers are opened."""
    from sqlalchemy import text

    row, _r = assessments.record_result(
        populated_vault, kids[0].id, "PHQ-9", [1, 1, 1, 1, 0, 0, 0, 0, None], mode="paper"
    )
    with populated_vault.session() as s:  # as 0.1 left it, and its warning since dealt with
        s.execute(
            text("UPDATE assessment_result SET missing_items = NULL WHERE id = :i"), {"i": row.id}
        )
        s.execute(text("UPDATE warning SET status = 'resolved'"))
    assert levels(populated_vault) == set()
    warnings.evaluate_all(populated_vault)
    assert levels(populated_vault) == {(kids[0].id, "orange", "critical-unanswered")}


def test_a_sheet_without_blanks_says_so(populated_vault, kids):
    from app.models import AssessmentResult

    row, _r = assessments.record_result(populated_vault, kids[0].id, "PHQ-9", SEVERE, mode="paper")
    with populated_vault.session() as s:
        assert s.get(AssessmentResult, row.id).missing_items == []


def _session(vault, student_id, **risk):
    body = {"risk_suicide": "none", "risk_self_harm": "none", "risk_others": "none", **risk}
    return records.create_record(
        vault, "session", student_id=student_id, occurred_at=dt.datetime.now(), body=body
    )


@pytest.mark.parametrize(
    ("risk", "level", "rule"),
    [
        ({"risk_suicide": "high"}, "red", "session-risk-high"),
        ({"risk_self_harm": "medium"}, "orange", "session-risk-medium"),
        ({"risk_others": "medium"}, "orange", "session-risk-medium"),
    ],
)
def test_the_counselors_risk_screen_raises_a_warning(populated_vault, kids, risk, level, rule):
    _session(populated_vault, kids[0].id, **risk)
    assert levels(populated_vault) == {(kids[0].id, level, rule)}


def test_a_session_without_a_risk_screen_is_refused(populated_vault, kids):
    with pytest.raises(ValidationError, match="自杀意念"):
        records.create_record(
            populated_vault,
            "session",
            student_id=kids[0].id,
            occurred_at=dt.datetime.now(),
            body={},
        )


def test_observations_life_events_and_diagnoses_raise_as_they_are_recorded(populated_vault, kids):
    for _ in range(2):
        records.create_record(
            populated_vault,
            "observation",
            student_id=kids[0].id,
            occurred_at=dt.datetime.now(),
            body={"source_role": "head_teacher", "content": "情绪低落"},
        )
    records.create_record(
        populated_vault,
        "life_event",
        student_id=kids[1].id,
        occurred_at=dt.datetime.now(),
        body={"event_type": "self_harm"},
    )
    students.update_student_flags(populated_vault, kids[2].id, diagnosis_note="既往诊断（测试）")
    assert levels(populated_vault) == {
        (kids[0].id, "yellow", "observations"),
        (kids[1].id, "red", "self-harm-event"),
        (kids[2].id, "watch", "diagnosis"),
    }


def test_a_referral_status_change_raises_in_the_same_transaction(populated_vault, kids):
    ref = records.create_record(
        populated_vault,
        "referral",
        student_id=kids[0].id,
        occurred_at=dt.datetime.now(),
        body={"status": "suggested", "institution": "市第三人民医院", "reason": "建议就医"},
    )
    assert warnings.queue(populated_vault) == []
    records.update_record(populated_vault, ref.id, body={**ref.body, "status": "referred"})
    assert levels(populated_vault) == {(kids[0].id, "orange", "in-treatment")}


def test_a_manual_warning_needs_a_reason_and_joins_an_open_higher_one(populated_vault, kids):
    with pytest.raises(ValidationError, match="请填写预警原因"):
        warnings.raise_manual(populated_vault, kids[0].id, "orange", "   ")
    wid = warnings.raise_manual(populated_vault, kids[0].id, "orange", "同学反映其在网上说想消失")
    assert levels(populated_vault) == {(kids[0].id, "orange", "manual")}
    again = warnings.raise_manual(populated_vault, kids[0].id, "yellow", "课堂上情绪失控")
    assert again == wid
    [w] = warnings.queue(populated_vault)
    assert [e["reason"] for e in w.evidence] == ["同学反映其在网上说想消失", "课堂上情绪失控"]


@pytest.mark.parametrize("note", [False, "", "   "])
def test_decisions_refuse_a_missing_note(populated_vault, kids, note):
    assessments.record_result(populated_vault, kids[0].id, "PHQ-9", SEVERE, mode="paper")
    [w] = warnings.queue(populated_vault)
    with pytest.raises(ValidationError):
        warnings.review(populated_vault, w.id, confirmed=True, note=note)
    warnings.review(populated_vault, w.id, confirmed=True, note="面谈确认")
    with pytest.raises(ValidationError):
        warnings.resolve(populated_vault, w.id, note)
    with pytest.raises(ValidationError):
        alerts.acknowledge(populated_vault, "warning", w.id, note)


def test_acknowledging_an_alert_keeps_the_note_and_a_new_answer_brings_it_back(
    populated_vault, kids
):
    assessments.record_result(populated_vault, kids[0].id, "PHQ-9", SEVERE, mode="paper")
    [a] = alerts.pending(populated_vault)
    alerts.acknowledge(populated_vault, a.kind, a.id, "已约今天下午面谈")
    assert alerts.pending(populated_vault) == []
    with populated_vault.session() as s:
        assert s.get(Warning, a.id).acknowledge_note == "已约今天下午面谈"
    assessments.record_result(populated_vault, kids[0].id, "PHQ-9", [0] * 8 + [2], mode="paper")
    [again] = alerts.pending(populated_vault)
    assert again.id == a.id and any("第9题" in d for d in again.details)


def test_a_rule_with_a_typo_is_refused_with_its_path_in_chinese():
    rules = default_rules()
    rules["rules"][0]["when"] = {"all": [{"diagnosis": True}, {"diagnosys_typo": True}]}
    with pytest.raises(RuleSetError) as caught:
        validate_rule_set(rules)
    assert caught.value.path == "rules/0/when/all/1"
    assert str(caught.value) == "预警规则有误（位置 rules/0/when/all/1）：未知的键 “diagnosys_typo”"


@pytest.mark.parametrize(
    ("change", "path", "problem"),
    [
        (lambda r: r["rules"][3]["when"]["result"]["scales"].__setitem__(0, "PHQ9"),
         "rules/3/when/result/scales/0", "未知的量表“PHQ9”"),
        (lambda r: r["rules"][3]["when"]["result"]["bands"].__setitem__(0, "awful"),
         "rules/3/when/result/bands/0", "本规则中的量表都没有等级“awful”"),
        (lambda r: r["rules"][0].__setitem__("level", "purple"),
         "rules/0/level", "取值应为以下之一：\"red\"、\"orange\"、\"yellow\"、\"watch\""),
        (lambda r: r["rules"][1]["when"]["event"].__setitem__("within_days", "365"),
         "rules/1/when/event/within_days", "类型应为整数"),
        (lambda r: r["positive_bands"].__setitem__("GAD-7", ["huge"]),
         "positive_bands/GAD-7/0", "GAD-7 没有等级“huge”"),
    ],
)  # fmt: skip
def test_unknown_scales_bands_levels_and_types_are_refused(change, path, problem):
    rules = default_rules()
    change(rules)
    with pytest.raises(RuleSetError) as caught:
        validate_rule_set(rules)
    assert (caught.value.path, caught.value.problem) == (path, problem)


def test_a_refused_rule_set_is_never_stored(populated_vault):
    rules = default_rules()
    rules["rules"][0]["when"] = {"diagnosys_typo": True}
    with pytest.raises(RuleSetError):
        save_rule_set(populated_vault, rules)
    with populated_vault.session() as s:
        from app.services.warning_rules import active_rule_set

        assert active_rule_set(s)[0] == 1


def test_a_broken_rule_stored_by_an_older_version_stops_nothing(populated_vault, kids):
    """Rule sets stored before validation existed may still be broken: they are reported."""
    from app.models import WarningRuleSet

    rules = default_rules()
    rules["rules"].insert(
        0, {"id": "typo", "level": "red", "label": {"zh": "x"}, "when": {"diagnosys": True}}
    )
    with populated_vault.session() as s:
        s.add(WarningRuleSet(version=2, rules=rules, note="old", created_by="someone"))
    assessments.record_result(populated_vault, kids[0].id, "PHQ-9", SEVERE, mode="paper")
    assert levels(populated_vault) == {(kids[0].id, "red", "severe-depression")}
    report = warnings.evaluate_all(populated_vault)
    assert {f.rule_id for f in report.failures} == {"typo"}
    assert report.unchanged == 1


def test_a_milder_finding_neither_lowers_nor_brings_back_an_acknowledged_alert(
    populated_vault, kids
):
    assessments.record_result(populated_vault, kids[0].id, "PHQ-9", SEVERE, mode="paper")
    [a] = alerts.pending(populated_vault)
    alerts.acknowledge(populated_vault, a.kind, a.id, "已面谈")
    assessments.record_result(populated_vault, kids[0].id, "GAD-7", [2] * 7, mode="paper")
    assert alerts.pending(populated_vault) == []
    assert levels(populated_vault) == {(kids[0].id, "red", "severe-depression")}
