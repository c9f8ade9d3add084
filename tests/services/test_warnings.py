"""Warnings in the vault: evaluation, the lifecycle and its audit, and nothing silently lost."""

import datetime as dt
import os
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select

from app.errors import ValidationError
from app.models import AuditEntry
from app.services import assessments, records, students, vaults, warnings
from tests.conftest import PASSPHRASE


@pytest.fixture
def kids(populated_vault):
    return students.search_students(populated_vault, limit=4)


def test_a_critical_answer_raises_a_red_warning_in_the_same_transaction(populated_vault, kids):
    assessments.record_result(populated_vault, kids[0].id, "PHQ-9", [0] * 8 + [1], mode="paper")
    [w] = warnings.queue(populated_vault)
    assert (w.student_id, w.level, w.rule_id, w.status, w.rule_set_version) == (
        kids[0].id,
        "red",
        "critical-official",
        "raised",
        1,
    )
    assert w.evidence[0]["type"] == "critical" and w.evidence[0]["item"] == 9


def test_evidence_raises_its_warning_at_once_and_a_school_wide_run_adds_nothing(
    populated_vault, kids
):
    assessments.record_result(
        populated_vault, kids[0].id, "GAD-7", [2] * 7, mode="paper"
    )  # moderate
    records.create_record(
        populated_vault,
        "life_event",
        student_id=kids[1].id,
        occurred_at=dt.datetime.now(),
        body={"event_type": "bereavement"},
    )
    assert {(w.student_id, w.level) for w in warnings.queue(populated_vault)} == {
        (kids[0].id, "yellow"),
        (kids[1].id, "watch"),
    }
    again = warnings.evaluate_all(populated_vault)
    assert (again.raised, again.escalated, again.unchanged) == (0, 0, 2)
    assessments.record_result(populated_vault, kids[1].id, "GAD-7", [2] * 7, mode="paper")
    assert {(w.student_id, w.level) for w in warnings.queue(populated_vault)} == {
        (kids[0].id, "yellow"),
        (kids[1].id, "orange"),
    }
    [escalated] = [h for h in warnings.history(populated_vault, kids[1].id) if h.level == "watch"]
    assert escalated.status == "resolved"


def test_the_lifecycle_is_reviewed_planned_resolved_and_audited(populated_vault, kids):
    assessments.record_result(populated_vault, kids[0].id, "PHQ-9", [0] * 8 + [2], mode="paper")
    w = warnings.queue(populated_vault)[0]
    with pytest.raises(ValidationError):
        warnings.resolve(populated_vault, w.id, "too early")
    warnings.review(populated_vault, w.id, confirmed=True, note="面谈后确认")
    task = warnings.add_task(
        populated_vault, w.id, "三天后复谈", dt.date.today() - dt.timedelta(days=1)
    )
    assert [t.title for t in warnings.overdue_tasks(populated_vault)] == ["三天后复谈"]
    warnings.complete_task(populated_vault, task)
    assert warnings.overdue_tasks(populated_vault) == []
    warnings.resolve(populated_vault, w.id, "情绪稳定，转入常规关注")
    assert warnings.queue(populated_vault) == []
    assert [h.status for h in warnings.history(populated_vault, kids[0].id)] == ["resolved"]
    with populated_vault.session() as s:
        actions = [
            (e.action, e.object_type)
            for e in s.scalars(
                select(AuditEntry).where(AuditEntry.object_type.in_(("warning", "warning_task")))
            )
        ]
    assert actions == [
        ("create", "warning"),
        ("update", "warning"),
        ("create", "warning_task"),
        ("update", "warning_task"),
        ("update", "warning"),
    ]


def test_dismissing_needs_a_reason(populated_vault, kids):
    records.create_record(
        populated_vault,
        "life_event",
        student_id=kids[0].id,
        occurred_at=dt.datetime.now(),
        body={"event_type": "family_change"},
    )
    warnings.evaluate_all(populated_vault)
    w = warnings.queue(populated_vault)[0]
    with pytest.raises(ValidationError, match="请填写排除预警的原因"):
        warnings.review(populated_vault, w.id, confirmed=False, note="")
    warnings.review(populated_vault, w.id, confirmed=False, note="家庭变故已妥善处理，学生状态良好")
    assert warnings.queue(populated_vault) == []


def test_counts_by_class_carry_no_names(populated_vault, kids):
    for k in kids[:2]:
        assessments.record_result(populated_vault, k.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    counts = warnings.counts_by_class(populated_vault)
    assert sum(v["red"] for v in counts.values()) == 2
    assert not any(k.name in str(counts) for k in kids)


def test_a_new_rule_set_version_is_used_and_recorded(populated_vault, kids):
    with populated_vault.session() as s:
        _v, rules = warnings.active_rule_set(s)
    rules = {**rules, "rules": [r for r in rules["rules"] if r["id"] != "diagnosis"]}
    assert warnings.save_rule_set(populated_vault, rules, "不再因既往诊断单独关注") == 2
    students.update_student_flags(populated_vault, kids[0].id, diagnosis_note="既往诊断（测试）")
    assert warnings.evaluate_all(populated_vault).raised == 0
    with pytest.raises(ValidationError):
        warnings.save_rule_set(
            populated_vault,
            {"rules": [{"id": "x", "level": "purple", "when": {"diagnosis": True}}]},
        )


def test_a_kiosk_critical_answer_survives_the_app_being_killed_right_after(
    populated_vault, kids, tmp_path
):
    populated_vault.lock()
    script = textwrap.dedent(f"""
        import os
        from app.services import kiosk, vaults
        v = vaults.unlock({str(populated_vault.root)!r}, {PASSPHRASE!r}, "admin")
        st = kiosk.start(v, {kids[0].id!r}, ["PHQ-9"])
        for _ in range(8):
            st = kiosk.answer(v, st.session_id, 0, 2.0)
        kiosk.answer(v, st.session_id, 3, 2.0)
        os.kill(os.getpid(), 9)  # killed: no lock, no cleanup, no finish
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == -9, done.stderr
    again = vaults.unlock(populated_vault.root, PASSPHRASE, "admin")
    [w] = warnings.queue(again)
    assert (w.student_id, w.level, w.evidence[0]["item"]) == (kids[0].id, "red", 9)
    again.lock()


def test_counts_per_grade_and_class_come_in_school_order(populated_vault):
    everyone = students.search_students(populated_vault, limit=200)
    for kid in everyone:  # one red warning in every class of the school
        assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    school = students.grades_and_classes(populated_vault)
    assert list(warnings.counts_by_grade(populated_vault)) == [g.name for g in school]
    assert list(warnings.counts_by_class(populated_vault)) == [
        f"{g.name}{c.name}" for g in school for c in g.classes
    ]
    per_class = warnings.counts_by_class(populated_vault)
    assert sum(v["red"] for v in per_class.values()) == len(everyone)
