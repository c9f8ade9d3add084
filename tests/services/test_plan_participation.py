"""Plans: one state per student, invalid sheets to re-test, scales outside their range need a
reason, and the list of those not done prints in class and 学号 order."""

import datetime as dt

import pytest
from sqlalchemy import select

from app.models import AuditEntry
from app.services import assessments, plans, printing, students
from app.services import screening_follow_up as follow
from tests.reports.test_documents import text

DAY = dt.date(2026, 11, 2)


@pytest.fixture
def grade7(populated_vault):
    g = next(g for g in students.grades_and_classes(populated_vault) if g.name == "七年级")
    return g.classes[0]


@pytest.fixture
def plan(populated_vault, grade7):
    return plans.create_plan(
        populated_vault,
        name="秋季测评",
        scale_ids=["PHQ-9"],
        class_ids=[grade7.id],
        starts_on=DAY,
        ends_on=DAY + dt.timedelta(days=14),
    )


def members(vault, klass):
    rows = students.search_students(vault, students.StudentFilter(class_id=klass.id))
    return sorted(rows, key=lambda r: r.student_no)


def test_scl90_for_grade_7_needs_a_reason(populated_vault, grade7):
    with pytest.raises(plans.OutOfRange, match="SCL-90 · 七年级1班：量表适用于 16 岁及以上"):
        plans.create_plan(
            populated_vault,
            name="秋季测评",
            scale_ids=["SCL-90"],
            class_ids=[grade7.id],
            starts_on=DAY,
            ends_on=DAY,
        )
    assert plans.list_plans(populated_vault) == []
    plan = plans.create_plan(
        populated_vault,
        name="秋季测评",
        scale_ids=["SCL-90"],
        class_ids=[grade7.id],
        starts_on=DAY,
        ends_on=DAY,
        out_of_range_reason="区教研室统一要求",
    )
    with populated_vault.session() as s:
        [entry] = s.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "assessment_plan")
        ).all()
        assert entry.object_id == plan.id and "区教研室统一要求" in entry.detail


def test_phq9_for_grade_7_is_within_range(populated_vault, plan):
    assert plan.scale_ids == ("PHQ-9",)


def test_each_student_has_one_state_in_class_and_number_order(populated_vault, grade7, plan):
    kids = members(populated_vault, grade7)
    record = assessments.record_result
    record(populated_vault, kids[0].id, "PHQ-9", [0] * 9, mode="paper", plan_id=plan.id)
    record(  # too fast: invalid, to take again
        populated_vault,
        kids[1].id,
        "PHQ-9",
        [0] * 9,
        mode="kiosk",
        seconds=[0.1] * 9,
        plan_id=plan.id,
    )
    follow.mark(populated_vault, plan.id, kids[2].id, "absent", "病假")
    follow.mark(populated_vault, plan.id, kids[3].id, "opted_out")
    rows = plans.participation(populated_vault, plan.id)
    assert [r.student_no for r in rows] == [k.student_no for k in kids]
    assert [(r.state, r.recorded_by, r.note) for r in rows[:5]] == [
        ("done", "", ""),
        ("retest", "", ""),
        ("absent", "王老师", "病假"),
        ("opted_out", "王老师", ""),
        ("not_yet", "", ""),
    ]
    assert plans.completion(populated_vault, plan.id).complete == (kids[0].id,)


def test_the_missing_list_prints_those_not_done_in_order(populated_vault, grade7, plan):
    kids = members(populated_vault, grade7)
    assessments.record_result(
        populated_vault, kids[0].id, "PHQ-9", [0] * 9, mode="paper", plan_id=plan.id
    )
    follow.mark(populated_vault, plan.id, kids[2].id, "refused")
    body = text(printing.missing_list(populated_vault, plan.id)[0])
    assert "秋季测评：未完成名单" in body and kids[0].student_no not in body
    positions = [body.index(k.student_no) for k in kids[1:]]
    assert positions == sorted(positions)
    assert f"{kids[2].student_no}{kids[2].name}拒绝" in body
