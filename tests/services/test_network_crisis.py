"""The four-level network, notifications, minimal-disclosure slips, and crisis records."""

import datetime as dt

import pytest

from app.errors import ValidationError
from app.services import assessments, crisis, network, records, students, warnings


@pytest.fixture
def kid(populated_vault):
    return students.search_students(populated_vault, limit=1)[0]


@pytest.fixture
def warning(populated_vault, kid):
    assessments.record_result(
        populated_vault, kid.id, "PHQ-9", [2, 2, 2, 2, 2, 2, 1, 1, 1], mode="paper"
    )
    w = warnings.queue(populated_vault)[0]
    warnings.review(populated_vault, w.id, confirmed=True, note="面谈确认")
    return w


def test_the_most_specific_person_per_role_then_the_guardians(populated_vault, kid):
    cls = students.student_archive(populated_vault, kid.id)
    class_id = next(
        c.id
        for g in students.grades_and_classes(populated_vault)
        for c in g.classes
        if f"{g.name}{c.name}" == f"{cls.row.grade}{cls.row.class_name}"
    )
    network.set_contact(populated_vault, "principal", "李校长", "17000000001")
    network.set_contact(populated_vault, "counselor", "王老师")
    network.set_contact(populated_vault, "head_teacher", "陈老师", class_id=class_id)
    network.set_contact(populated_vault, "committee", "赵同学", class_id=class_id)
    network.set_contact(populated_vault, "counselor", "周老师", student_id=kid.id)
    contacts = network.network_for(populated_vault, kid.id)
    assert [(c.role, c.name, c.level) for c in contacts[:4]] == [
        ("principal", "李校长", "school"),
        ("counselor", "周老师", "student"),
        ("head_teacher", "陈老师", "class"),
        ("committee", "赵同学", "class"),
    ]
    assert contacts[4].role == "guardian" and contacts[4].level == "roster"


def test_each_notification_records_who_when_how_and_by_whom(populated_vault, warning):
    when = dt.datetime(2026, 11, 20, 9, 30)
    network.notify(populated_vault, warning.id, "guardian", "母亲", "phone", when)
    [n] = network.notifications(populated_vault, warning.id)
    assert (n.role, n.person_name, n.method, n.notified_at, n.notified_by) == (
        "guardian",
        "母亲",
        "phone",
        when,
        populated_vault.user.id,
    )


@pytest.mark.parametrize("role", ["head_teacher", "guardian", "principal"])
def test_slips_never_carry_scores_bands_scales_or_notes(populated_vault, kid, warning, role):
    students.update_student_flags(populated_vault, kid.id, diagnosis_note="SECRET-DIAGNOSIS")
    slip = network.slip(populated_vault, warning.id, role)
    text = str(slip)
    for forbidden in ("PHQ", "15", "中度", "SECRET-DIAGNOSIS", "evidence", "band", "score", "rule"):
        assert forbidden not in text, (role, forbidden)
    assert slip["student"] == kid.name


def test_a_head_teachers_slip_says_what_to_do_and_whom_to_call_never_a_level(
    populated_vault, warning
):
    slip = network.slip(populated_vault, warning.id, "head_teacher")
    assert set(slip) == {"student", "class", "actions", "counselor"}
    assert slip["actions"] == "请勿让学生独处，并立即联系心理教师。"


def test_no_slip_is_addressed_to_a_student(populated_vault, warning):
    with pytest.raises(ValidationError, match="告知单不发给学生"):
        network.slip(populated_vault, warning.id, "committee")


def test_a_warning_awaiting_review_gets_no_slip(populated_vault, kid):
    assessments.record_result(populated_vault, kid.id, "GAD-7", [3] * 7, mode="paper")
    [w] = [w for w in warnings.queue(populated_vault) if w.status == "raised"]
    with pytest.raises(ValidationError, match="面谈确认"):
        network.slip(populated_vault, w.id, "head_teacher")


def test_a_crisis_checklist_time_stamps_each_step_and_links_related_students(
    populated_vault, kid, warning
):
    others = students.search_students(populated_vault, limit=3)[1:]
    record = crisis.start_crisis(populated_vault, kid.id, trigger="warning", warning_id=warning.id)
    assert crisis.open_steps(record)[0] == "ensure_safety"
    t = dt.datetime(2026, 11, 20, 10, 5)
    record = crisis.complete_step(populated_vault, record.id, "ensure_safety", t)
    record = crisis.complete_step(
        populated_vault, record.id, "inform_guardians", t + dt.timedelta(minutes=20)
    )
    assert record.body["steps"] == {
        "ensure_safety": "2026-11-20T10:05",
        "inform_guardians": "2026-11-20T10:25",
    }
    record = crisis.link_related(
        populated_vault, record.id, [(others[0].id, "同桌"), (others[1].id, "目击者")]
    )
    assert [(p.student_id, p.observation) for p in record.participants] == [
        (others[0].id, "同桌"),
        (others[1].id, "目击者"),
    ]
    assert [e.kind for e in records.timeline(populated_vault, others[0].id)] == ["crisis"]
    assert len(records.versions(populated_vault, record.id)) == 3
    with pytest.raises(ValidationError):
        crisis.complete_step(populated_vault, record.id, "dance")
    voided = records.void_record(populated_vault, record.id, "重复创建")
    assert voided.voided
