"""The warning workspace's use cases: one warning in full, review of many, the filtered queue and
its printout (real vault, real PDF)."""

import datetime as dt

import pytest

from app.errors import ValidationError
from app.services import assessments, crisis, network, printing, students, warnings
from app.services.warning_detail import detail
from tests.reports.test_documents import text


def _kids(vault, n):
    return students.search_students(vault, limit=n)


def test_the_detail_names_the_critical_item_the_answer_and_what_followed(populated_vault):
    kid = _kids(populated_vault, 1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [2], mode="paper")
    [w] = warnings.queue(populated_vault)
    warnings.review(populated_vault, w.id, confirmed=True, note="面谈确认，情绪低落")
    task = warnings.add_task(populated_vault, w.id, "联系家长", dt.date.today() - dt.timedelta(1))
    network.notify(populated_vault, w.id, "guardian", "王妈妈", "phone")
    record = crisis.start_crisis(populated_vault, kid.id, trigger="warning", warning_id=w.id)

    d = detail(populated_vault, w.id)

    assert d.level == "red" and d.status == "confirmed" and d.student_name == kid.name
    assert any(line.startswith("PHQ-9 第9题「") and "（2）" in line for line in d.evidence)
    assert any("面谈确认，情绪低落" in line for line in d.decisions)
    assert (task, "联系家长", True) in [
        (t.id, t.title, t.overdue(dt.date.today())) for t in d.tasks
    ]
    assert len(d.notifications) == 1 and "王妈妈" in d.notifications[0]
    assert [(x.record_id, x.kind) for x in d.linked] == [(record.id, "crisis")]
    assert [h.warning_id for h in d.history] == [w.id]


def test_a_session_warning_shows_the_whole_risk_screen(populated_vault):
    from app.services import records

    kid = _kids(populated_vault, 1)[0]
    case = records.create_record(
        populated_vault,
        "case",
        student_id=kid.id,
        occurred_at=dt.datetime.now(),
        body={"problems": ["emotions"]},
    )
    records.create_record(
        populated_vault,
        "session",
        student_id=kid.id,
        parent_id=case.id,
        occurred_at=dt.datetime.now(),
        body={"risk_suicide": "high", "risk_self_harm": "low", "risk_others": "none"},
    )
    [w] = warnings.queue(populated_vault)
    lines = detail(populated_vault, w.id).evidence
    assert any("自杀意念：高；自伤：低；伤人：无" in line for line in lines), lines


def test_many_yellow_screens_are_confirmed_together_in_one_step(populated_vault):
    kids = _kids(populated_vault, 3)
    for k in kids:
        assessments.record_result(populated_vault, k.id, "GAD-7", [2] * 7, mode="paper")
    ids = [w.id for w in warnings.queue(populated_vault)]
    assert len(ids) == 3

    assert (
        warnings.review_many(populated_vault, ids, confirmed=True, note="班级面谈，持续关注") == 3
    )

    rows = warnings.queue(populated_vault)
    assert {r.status for r in rows} == {"confirmed"}
    assert {
        detail(populated_vault, i).decisions[-1].endswith("班级面谈，持续关注") for i in ids
    } == {True}


def test_a_red_warning_is_never_dismissed_in_a_batch(populated_vault):
    kids = _kids(populated_vault, 2)
    assessments.record_result(populated_vault, kids[0].id, "GAD-7", [2] * 7, mode="paper")
    assessments.record_result(populated_vault, kids[1].id, "PHQ-9", [0] * 8 + [1], mode="paper")
    ids = [w.id for w in warnings.queue(populated_vault)]
    with pytest.raises(ValidationError, match="1 条为一级或二级"):
        warnings.review_many(populated_vault, ids, confirmed=False, note="筛查误报")
    assert {r.status for r in warnings.queue(populated_vault)} == {"raised"}


def test_a_batch_with_a_reviewed_warning_changes_nothing(populated_vault):
    kids = _kids(populated_vault, 2)
    for k in kids:
        assessments.record_result(populated_vault, k.id, "GAD-7", [2] * 7, mode="paper")
    first, second = (w.id for w in warnings.queue(populated_vault))
    warnings.review(populated_vault, first, confirmed=True, note="已面谈")
    with pytest.raises(ValidationError, match="1 条已审核"):
        warnings.review_many(populated_vault, [first, second], confirmed=False, note="误报")
    assert [r.status for r in warnings.queue(populated_vault) if r.id == second] == ["raised"]


def test_the_queue_filter_keeps_status_date_place_and_overdue(populated_vault):
    kids = _kids(populated_vault, 3)
    for k in kids:
        assessments.record_result(populated_vault, k.id, "GAD-7", [2] * 7, mode="paper")
    rows = warnings.queue(populated_vault)
    warnings.review(populated_vault, rows[0].id, confirmed=True, note="已面谈")
    rows = warnings.queue(populated_vault)
    confirmed = [r for r in rows if r.status == "confirmed"]
    keep = warnings.select_rows
    only = warnings.QueueFilter
    today = dt.date.today()
    assert keep(rows, only(status="confirmed")) == confirmed
    assert keep(rows, only(raised_from=today + dt.timedelta(1))) == []
    assert keep(rows, only(raised_from=today, raised_to=today)) == rows
    assert keep(rows, only(overdue_only=True), frozenset({rows[1].id})) == [rows[1]]
    klass = f"class:{rows[2].class_label}"
    assert rows[2] in keep(rows, only(place=klass))
    assert all(r.class_label == rows[2].class_label for r in keep(rows, only(place=klass)))


def test_the_printed_list_carries_the_shown_warnings_and_the_filter(populated_vault):
    kids = _kids(populated_vault, 3)
    for k in kids:
        assessments.record_result(populated_vault, k.id, "GAD-7", [2] * 7, mode="paper")
    rows = warnings.queue(populated_vault)
    pdf, serial = printing.warning_list(populated_vault, [rows[0].id, rows[1].id], "三级（黄）")
    body = text(pdf)
    assert "预警学生名单" in body and "三级（黄）" in body and serial in body
    assert rows[0].student_name in body and rows[1].student_name in body
    assert rows[2].student_name not in body
    assert "共2名" in body
