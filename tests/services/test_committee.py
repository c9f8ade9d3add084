"""The 心理委员 network: members with terms, their reports as observations feeding the rules
(urgent ones at once), the classes not reported within the rhythm, and nothing ever addressed to
a member."""

import datetime as dt

import pytest

from app.errors import ValidationError
from app.services import committee, network, students, warnings

TODAY = dt.date.today()


def _class_of(vault):
    kid = students.search_students(vault, limit=1)[0]
    flt = students.StudentFilter(query="", status="enrolled")
    mates = [
        r
        for r in students.search_students(vault, flt, limit=500)
        if (r.grade, r.class_name) == (kid.grade, kid.class_name)
    ]
    return mates


def test_a_members_urgent_report_raises_a_warning_at_once(populated_vault):
    member_kid, classmate = _class_of(populated_vault)[:2]
    member = committee.appoint(populated_vault, member_kid.id, TODAY - dt.timedelta(days=30))
    committee.report(
        populated_vault,
        member,
        classmate.id,
        content="课间说“活着没意思”，这两天不吃午饭",
        signs=["talk_of_death", "low_mood"],
        urgency="routine",  # chosen in a hurry: talk of death is urgent whatever is chosen
    )
    [w] = [w for w in warnings.queue(populated_vault) if w.student_id == classmate.id]
    assert (w.level, w.rule_id) == ("orange", "observation-urgent")


def test_two_routine_reports_in_a_month_raise_a_yellow_warning(populated_vault):
    member_kid, classmate = _class_of(populated_vault)[:2]
    member = committee.appoint(populated_vault, member_kid.id, TODAY - dt.timedelta(days=30))
    for days in (10, 2):
        committee.report(
            populated_vault,
            member,
            classmate.id,
            content="常一个人吃饭",
            signs=["withdrawn"],
            at=dt.datetime.now() - dt.timedelta(days=days),
        )
    [w] = [w for w in warnings.queue(populated_vault) if w.student_id == classmate.id]
    assert (w.level, w.rule_id) == ("yellow", "observations")


def test_a_member_reports_only_on_their_own_class_and_only_while_serving(populated_vault):
    mates = _class_of(populated_vault)
    outsider = next(
        r
        for r in students.search_students(populated_vault, limit=500)
        if r.id not in {m.id for m in mates}
    )
    member = committee.appoint(populated_vault, mates[0].id, TODAY - dt.timedelta(days=30))
    with pytest.raises(ValidationError, match="只报告本班同学"):
        committee.report(populated_vault, member, outsider.id, content="x")
    committee.end_term(populated_vault, member, TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="当前不是心理委员"):
        committee.report(populated_vault, member, mates[1].id, content="x")
    with pytest.raises(ValidationError, match="任期结束日期早于开始日期"):
        committee.appoint(populated_vault, mates[2].id, TODAY, TODAY - dt.timedelta(days=1))


def test_a_class_that_has_not_reported_within_the_rhythm_is_listed(populated_vault):
    mates = _class_of(populated_vault)
    member = committee.appoint(populated_vault, mates[0].id, TODAY - dt.timedelta(days=60))
    [missing] = committee.missing_reports(populated_vault)
    assert missing.members == (mates[0].name,) and missing.last_report is None
    committee.nothing_to_report(populated_vault, member, at=dt.datetime.now() - dt.timedelta(3))
    assert committee.missing_reports(populated_vault) == []
    assert [
        m.class_label for m in committee.missing_reports(populated_vault, TODAY + dt.timedelta(5))
    ] == [missing.class_label]
    committee.set_rhythm(populated_vault, 14)
    assert committee.missing_reports(populated_vault, TODAY + dt.timedelta(5)) == []


def test_nothing_about_a_classmate_is_ever_addressed_to_a_member(populated_vault):
    from app.services import assessments

    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    [w] = warnings.queue(populated_vault)
    with pytest.raises(ValidationError, match="不得向其告知同学"):
        network.notify(populated_vault, w.id, "committee", "赵同学", "meeting")
    with pytest.raises(ValidationError):
        network.slip(populated_vault, w.id, "committee")
