"""After the semester's screening: positives not yet seen with their days, the unscreened split
by why, and the sheets to take again."""

import datetime as dt

import pytest

from app.errors import ValidationError
from app.services import assessments, plans, screening_follow_up, students, warnings

START = dt.date(2026, 11, 2)


def _plan(vault):
    kid = students.search_students(vault, limit=1)[0]
    class_id = next(
        c.id
        for g in students.grades_and_classes(vault)
        for c in g.classes
        if f"{g.name}{c.name}" == f"{kid.grade}{kid.class_name}"
    )
    plan = plans.create_plan(
        vault,
        name="2026秋季心理普查",
        scale_ids=["PHQ-9"],
        class_ids=[class_id],
        starts_on=START,
        ends_on=START + dt.timedelta(days=14),
    )
    pupils = students.search_students(vault, students.StudentFilter(class_id=class_id))
    return plan, pupils


def test_the_follow_up_lists_each_group_with_what_a_counselor_needs(populated_vault):
    vault = populated_vault
    plan, pupils = _plan(vault)
    a, b, c, d, e, f = pupils[:6]
    taken = dt.datetime(2026, 11, 4, 10)
    for kid, answers in ((a, [0] * 8 + [1]), (b, [0] * 9), (c, [2] * 9)):
        assessments.record_result(
            vault, kid.id, "PHQ-9", answers, mode="paper", plan_id=plan.id, administered_at=taken
        )
    assessments.record_result(  # item 9 left blank: a risk signal and a sheet to redo
        vault, d.id, "PHQ-9", [0] * 8 + [None], mode="paper", plan_id=plan.id, administered_at=taken
    )
    seen = next(w for w in warnings.queue(vault) if w.student_id == c.id)
    warnings.review(vault, seen.id, confirmed=True, note="已面谈")
    screening_follow_up.mark(vault, plan.id, e.id, "absent", "病假")
    screening_follow_up.mark(vault, plan.id, f.id, "opted_out")

    out = screening_follow_up.follow_up(vault, plan.id, today=dt.date(2026, 11, 20))

    assert out.closed and out.expected == len(pupils) and out.screened == 4
    assert {(r.student_id, r.what, r.days) for r in out.positives} == {
        (a.id, "PHQ-9", 16),
        (d.id, "PHQ-9", 16),
    }
    assert [(r.student_id, r.what) for r in out.absent] == [(e.id, "缺考")]
    assert [(r.student_id, r.what) for r in out.refused] == [(f.id, "家长退出")]
    assert {r.student_id for r in out.not_yet} == {p.id for p in pupils[6:]}
    assert [r.student_id for r in out.rescreen] == [d.id]
    assert out.rescreen[0].what.startswith("PHQ-9（")


def test_a_mark_is_cleared_and_only_a_plan_student_is_marked(populated_vault):
    vault = populated_vault
    plan, pupils = _plan(vault)
    screening_follow_up.mark(vault, plan.id, pupils[0].id, "refused")
    screening_follow_up.mark(vault, plan.id, pupils[0].id, None)
    out = screening_follow_up.follow_up(vault, plan.id, today=START)
    assert not out.refused and pupils[0].id in {r.student_id for r in out.not_yet}
    outsider = next(
        s for s in students.search_students(vault, limit=200) if s.id not in {p.id for p in pupils}
    )
    with pytest.raises(ValidationError, match="不在本计划的班级中"):
        screening_follow_up.mark(vault, plan.id, outsider.id, "absent")
