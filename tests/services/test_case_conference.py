"""研判 (case conference): its plan, the tasks divided between school and family on the home
page's list, the one-page plan the parent signs, the case file and what the city receives."""

import datetime as dt

import pytest

from app.errors import ValidationError
from app.services import printing, records, students
from tests.reports.test_documents import text

TODAY = dt.date.today()


def _conference(vault, kid, tasks, **extra):
    body = {
        "basis": "diagnosis",
        "school_participants": "心理教师王老师、班主任李老师、德育处张主任",
        "outside_participants": "市第三人民医院儿少科陈医生",
        "findings": "入学前确诊抑郁发作，目前服药，情绪较稳定",
        "plan": "每周一次个体辅导；班主任每日观察；家长按时督促服药",
        "parent_name": "母亲刘女士",
        "parent_informed_at": dt.datetime.combine(TODAY, dt.time(16, 30)),
        "parent_mode": "meeting",
        "parent_response": "同意方案，愿意配合",
        "tasks": tasks,
        "review_on": TODAY + dt.timedelta(days=30),
        **extra,
    }
    return records.create_record(
        vault, "case_conference", student_id=kid.id, occurred_at=dt.datetime.now(), body=body
    )


TASKS = [
    {"side": "school", "owner": "班主任李老师", "title": "每日观察情绪并记录", "due": TODAY},
    {"side": "family", "owner": "母亲", "title": "预约复诊", "due": TODAY + dt.timedelta(3)},
    {"side": "family", "owner": "", "title": "", "due": None},  # an empty row of the form
]


def test_the_tasks_of_both_sides_come_due_on_the_home_list(populated_vault):
    kid = students.search_students(populated_vault, limit=1)[0]
    r = _conference(populated_vault, kid, TASKS)
    assert [t["owner"] for t in r.body["tasks"]] == ["班主任李老师", "母亲"]
    end_of = lambda day: dt.datetime.combine(day, dt.time(23, 59))  # noqa: E731
    today = [u.what for u in records.upcoming(populated_vault, end_of(TODAY))]
    assert today == ["方案任务（学校·班主任李老师）：每日观察情绪并记录"]
    later = records.upcoming(populated_vault, end_of(TODAY + dt.timedelta(3)))
    assert [u.what for u in later][-1] == "方案任务（家庭·母亲）：预约复诊"
    assert {u.student_name for u in later} == {kid.name}


def test_a_task_done_leaves_the_list(populated_vault):
    kid = students.search_students(populated_vault, limit=1)[0]
    r = _conference(populated_vault, kid, TASKS[:2])
    body = dict(r.body)
    body["tasks"] = [{**body["tasks"][0], "done": True}, body["tasks"][1]]
    records.update_record(populated_vault, r.id, body=body)
    horizon = dt.datetime.combine(TODAY + dt.timedelta(5), dt.time(23, 59))
    assert [u.what for u in records.upcoming(populated_vault, horizon)] == [
        "方案任务（家庭·母亲）：预约复诊"
    ]


def test_a_task_without_its_owner_is_refused_with_its_number(populated_vault):
    kid = students.search_students(populated_vault, limit=1)[0]
    bad = [TASKS[0], {"side": "family", "owner": "", "title": "按时服药", "due": None}]
    with pytest.raises(ValidationError, match="第 2 项任务：请写明由学校还是家庭负责"):
        _conference(populated_vault, kid, bad)


def test_the_plan_prints_on_one_page_with_the_parents_signature_line(populated_vault):
    import subprocess

    kid = students.search_students(populated_vault, limit=1)[0]
    r = _conference(populated_vault, kid, TASKS)
    pdf, serial = printing.intervention_plan(populated_vault, r.id)
    body = text(pdf)
    for words in (
        "学生心理研判及干预方案",
        kid.name,
        "入学前已有诊断",
        "市第三人民医院儿少科陈医生",
        "每周一次个体辅导",
        "班主任李老师",
        "预约复诊",
        "母亲刘女士",
        "面谈",
        "同意方案，愿意配合",
        "家长签名",
        serial,
    ):
        assert words in body, words
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    assert info.split(b"Pages:")[1].split()[0] == b"1"


def test_the_case_file_holds_the_conference_and_its_tasks(populated_vault):
    kid = students.search_students(populated_vault, limit=1)[0]
    _conference(populated_vault, kid, TASKS)
    pdf, _serial = printing.case_file(populated_vault, kid.id)
    body = text(pdf)
    assert "研判与干预方案" in body and "家庭·母亲：预约复诊" in body


def test_the_city_receives_that_a_conference_was_held_and_why_never_its_words(populated_vault):
    from app.models import Record
    from app.sync import policy

    kid = students.search_students(populated_vault, limit=1)[0]
    r = _conference(populated_vault, kid, TASKS)
    with populated_vault.session() as s:
        entity, payload = policy.serialize(s, s.get(Record, r.id), policy.default_policy())
    assert entity == "record" and payload["kind"] == "case_conference"
    assert payload["fields"] == {"basis": "diagnosis"}
    flat = str(payload)
    for words in ("抑郁", "刘女士", "李老师", "预约复诊", "陈医生"):
        assert words not in flat
