"""Results, kiosk sessions that survive crashes, double entry, batch import, plans."""

import datetime as dt

import pytest

from app.errors import ValidationError
from app.scales.library import shipped_scale
from app.services import answer_import, assessments, kiosk, paper_entry, plans, students, vaults
from tests.conftest import PASSPHRASE


@pytest.fixture
def student(populated_vault):
    return students.search_students(populated_vault, limit=1)[0]


def test_a_result_keeps_raw_answers_versions_and_scores(populated_vault, student):
    row, result = assessments.record_result(
        populated_vault, student.id, "PHQ-9", [1, 1, 1, 1, 1, 1, 1, 1, 0], mode="paper"
    )
    assert (row.scale_id, row.scale_version, row.total, row.band_label) == (
        "PHQ-9",
        "1.1.0",
        8,
        "轻度",
    )
    assert assessments.history(populated_vault, student.id) == [row]


def test_a_critical_answer_raises_an_alert_with_the_result(populated_vault, student):
    assessments.record_result(populated_vault, student.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    alerts = assessments.open_alerts(populated_vault)
    assert [(a.student_id, a.scale_id, a.item, a.answer, a.official) for a in alerts] == [
        (student.id, "PHQ-9", 9, 1, True)
    ]
    with pytest.raises(ValidationError, match="请填写对这条提醒的跟进安排"):
        assessments.acknowledge_alert(populated_vault, alerts[0].id, "  ")
    assessments.acknowledge_alert(populated_vault, alerts[0].id, "今天下午面谈")
    assert assessments.open_alerts(populated_vault) == []


def test_rescoring_supersedes_and_keeps_one_alert(populated_vault, student):
    row, _r = assessments.record_result(
        populated_vault, student.id, "PHQ-9", [0] * 8 + [2], mode="paper"
    )
    new = assessments.rescore(populated_vault, row.id)
    assert new.total == row.total and new.id != row.id
    assert [r.id for r in assessments.history(populated_vault, student.id)] == [new.id]
    assert len(assessments.open_alerts(populated_vault)) == 1


def test_kiosk_saves_each_answer_and_resumes_after_a_crash(populated_vault, student):
    state = kiosk.start(populated_vault, student.id, ["PHQ-2", "GAD-2"])
    state = kiosk.answer(populated_vault, state.session_id, 1, 3.0)
    state = kiosk.answer(populated_vault, state.session_id, 2, 2.5)
    assert (state.scale_id, state.item) == ("GAD-2", 1)
    populated_vault.lock()  # the app dies here
    again = vaults.unlock(populated_vault.root, PASSPHRASE, "admin")
    [resumed] = kiosk.unfinished(again)
    assert (resumed.scale_id, resumed.item, resumed.answers["PHQ-2"]) == ("GAD-2", 1, [1, 2])
    kiosk.answer(again, resumed.session_id, 0, 2.0)
    done = kiosk.answer(again, resumed.session_id, 1, 2.0)
    assert kiosk.is_complete(done)
    ids = kiosk.finish(again, resumed.session_id)
    assert len(ids) == 2 and kiosk.unfinished(again) == []
    hist = assessments.history(again, student.id)
    assert {(h.scale_id, h.total, h.mode) for h in hist} == {
        ("PHQ-2", 3, "kiosk"),
        ("GAD-2", 1, "kiosk"),
    }
    again.lock()


def test_a_kiosk_critical_answer_is_alerted_before_the_battery_ends(populated_vault, student):
    state = kiosk.start(populated_vault, student.id, ["PHQ-9"])
    for _ in range(8):
        state = kiosk.answer(populated_vault, state.session_id, 0, 2.0)
    kiosk.answer(populated_vault, state.session_id, 2, 2.0)
    populated_vault.lock()  # closed before finishing
    again = vaults.unlock(populated_vault.root, PASSPHRASE, "admin")
    assert [(a.item, a.answer) for a in assessments.open_alerts(again)] == [(9, 2)]
    kiosk.finish(again, kiosk.unfinished(again)[0].session_id)
    assert len(assessments.open_alerts(again)) == 1  # the result does not alert twice
    again.lock()


def test_kiosk_back_moves_across_scales(populated_vault, student):
    state = kiosk.start(populated_vault, student.id, ["PHQ-2", "GAD-2"])
    state = kiosk.answer(populated_vault, state.session_id, 0, 2.0)
    state = kiosk.answer(populated_vault, state.session_id, 0, 2.0)
    state = kiosk.go_back(populated_vault, state.session_id)
    assert (state.scale_id, state.item) == ("PHQ-2", 2)


def test_kiosk_refuses_a_value_that_is_not_an_option(populated_vault, student):
    state = kiosk.start(populated_vault, student.id, ["PHQ-2"])
    with pytest.raises(ValidationError):
        kiosk.answer(populated_vault, state.session_id, 7, 1.0)


@pytest.mark.parametrize(("key", "value"), [("2", 2), ("3", 3), ("4", None), ("x", None)])
def test_paper_digits_outside_the_options_are_refused(key, value):
    assert paper_entry.parse_digit(shipped_scale("PHQ-9"), 1, key) == value


def test_batch_import_keyed_by_student_number(populated_vault, roster_students, tmp_path):
    path = tmp_path / "online.csv"
    lines = ["学籍号,Q1,Q2,Q3,Q4,Q5,Q6,Q7"]
    lines += [f"{st.student_no},1,1,1,1,1,1,1" for st in roster_students[:5]]
    lines += ["G000000000000000000,1,1,1,1,1,1,1", f"{roster_students[6].student_no},1,1,5,1,1,1,1"]
    path.write_text("\n".join(lines), "gbk")
    report = answer_import.import_answers(populated_vault, path, "GAD-7")
    assert report.imported == 0 and [(p.row, p.column) for p in report.invalid] == [
        (7, "学籍号"),
        (8, "Q3"),
    ]
    assert report.invalid[1].reason == "“5”不是有效选项（0/1/2/3）"
    report = answer_import.import_answers(populated_vault, path, "GAD-7", skip_invalid=True)
    assert report.imported == 5


def test_a_plan_tracks_who_has_not_taken_it_and_who_took_it_twice(populated_vault):
    grade = students.grades_and_classes(populated_vault)[0]
    cls = grade.classes[0]
    plan = plans.create_plan(
        populated_vault,
        name="2026秋季统一测评",
        scale_ids=["phq-9", "GAD-7"],
        class_ids=[cls.id],
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 11, 30),
        consent_method="家长知情同意书",
    )
    members = students.search_students(populated_vault, students.StudentFilter(class_id=cls.id))
    a, b = members[0], members[1]
    for scale, answers in (("PHQ-9", [0] * 9), ("GAD-7", [0] * 7)):
        assessments.record_result(
            populated_vault, a.id, scale, answers, mode="paper", plan_id=plan.id
        )
    assessments.record_result(
        populated_vault, b.id, "PHQ-9", [0] * 9, mode="paper", plan_id=plan.id
    )
    assessments.record_result(
        populated_vault, b.id, "PHQ-9", [0] * 9, mode="paper", plan_id=plan.id
    )
    c = plans.completion(populated_vault, plan.id)
    assert c.expected == len(members) and c.complete == (a.id,)
    assert c.missing[b.id] == ("GAD-7",) and c.duplicates == {b.id: ("PHQ-9",)}
    assert plan.consent_recorded_at is not None and plan.scale_ids == ("PHQ-9", "GAD-7")


def test_imported_critical_answers_are_listed_and_alerted(
    populated_vault, roster_students, tmp_path
):
    path = tmp_path / "phq.csv"
    header = "学籍号," + ",".join(str(i) for i in range(1, 10))
    rows = [
        f"{roster_students[0].student_no},0,0,0,0,0,0,0,0,2",
        f"{roster_students[1].student_no},0,0,0,0,0,0,0,0,0",
    ]
    path.write_text("\n".join([header, *rows]), "utf-8")
    report = answer_import.import_answers(populated_vault, path, "PHQ-9")
    assert report.imported == 2 and report.critical == [(roster_students[0].student_no, (9,))]
    assert [a.item for a in assessments.open_alerts(populated_vault)] == [9]


def test_stored_results_keep_t_scores_against_the_norm(populated_vault, student):
    from sqlalchemy import select

    from app.models import AssessmentResult

    row, result = assessments.record_result(
        populated_vault, student.id, "SCL-90", [1] * 90, mode="paper"
    )
    with populated_vault.session() as s:
        stored = s.scalars(select(AssessmentResult).where(AssessmentResult.id == row.id)).one()
    assert stored.norm_t == result.norm_t and stored.norm_t["total"] == round(
        50 + 10 * (90 - 129.96) / 38.76, 1
    )
