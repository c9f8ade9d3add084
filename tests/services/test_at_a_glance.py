"""The archive at a glance and the student list's 预警 column: what a counselor sees first, and
what the principal never sees."""

import datetime as dt

import pytest

from app.errors import PermissionDenied
from app.services import assessments, records, students
from app.services.at_a_glance import glance


def test_the_glance_says_the_level_why_the_case_what_is_next_results_and_contacts(
    populated_vault,
):
    kid = students.search_students(populated_vault, limit=1)[0]
    vault = populated_vault
    assessments.record_result(vault, kid.id, "GAD-7", [1] * 7, mode="paper")
    assessments.record_result(vault, kid.id, "PHQ-9", [0] * 8 + [2], mode="paper")
    assessments.record_result(vault, kid.id, "GAD-7", [2] * 7, mode="paper")
    case = records.create_record(
        vault,
        "case",
        student_id=kid.id,
        occurred_at=dt.datetime(2026, 11, 2, 9),
        title="学业压力",
        body={"problems": ["academic"]},
    )
    nxt = dt.datetime.now().replace(second=0, microsecond=0) + dt.timedelta(days=2)
    records.create_record(
        vault,
        "session",
        student_id=kid.id,
        parent_id=case.id,
        occurred_at=dt.datetime.now(),
        body={
            "risk_suicide": "low",
            "risk_self_harm": "none",
            "risk_others": "none",
            "next_appointment": nxt,
        },
    )
    records.create_record(
        vault,
        "contact",
        student_id=kid.id,
        occurred_at=dt.datetime(2026, 12, 1, 16),
        body={"guardian": "母亲", "mode": "phone", "content": "告知近期情绪变化"},
    )

    g = glance(vault, kid.id)

    assert g.level == "red" and g.status == "raised"
    assert g.why and g.why[0].startswith("PHQ-9 第9题「")
    assert g.open_case == "学业压力，2026-11-02 开案，已辅导 1 次"
    assert g.next_up == f"{nxt:%m-%d %H:%M} 下次辅导" and g.overdue == 0
    gad = next(r for r in g.results if r.scale_id == "GAD-7")
    assert (gad.total, gad.previous, gad.trend) == (14, 7, "↑")
    assert g.contacts == ("12-01 电话 母亲：告知近期情绪变化",)


def test_the_list_shows_each_students_worst_open_level_and_filters_by_it(populated_vault):
    kids = students.search_students(populated_vault, limit=3)
    assessments.record_result(populated_vault, kids[0].id, "GAD-7", [2] * 7, mode="paper")
    assessments.record_result(populated_vault, kids[0].id, "PHQ-9", [0] * 8 + [1], mode="paper")
    assessments.record_result(populated_vault, kids[1].id, "GAD-7", [2] * 7, mode="paper")
    levels = students.open_levels(populated_vault)
    assert levels == {kids[0].id: "red", kids[1].id: "yellow"}
    only = students.StudentFilter(level="yellow")
    assert [r.id for r in students.search_students(populated_vault, only)] == [kids[1].id]
    anyone = students.StudentFilter(level="any")
    assert students.count_students(populated_vault, anyone) == 2
    by_risk = students.search_students(populated_vault, sort="risk", limit=3)
    assert [r.id for r in by_risk[:2]] == [kids[0].id, kids[1].id]


def test_the_principal_sees_no_level_and_cannot_filter_by_one(populated_vault, principal):
    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    with pytest.raises(PermissionDenied):
        students.open_levels(principal)
    with pytest.raises(PermissionDenied):
        students.search_students(principal, students.StudentFilter(level="any"))
    with pytest.raises(PermissionDenied):
        glance(principal, kid.id)
