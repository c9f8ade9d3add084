"""送医 and 复学: the escort's who and when, the return plan's follow-ups as appointments, and the
referral loop read back with every date."""

import datetime as dt

import pytest

from app.errors import ValidationError
from app.services import printing, records, students
from app.services.referral_loop import referral_loop
from tests.reports.test_documents import text

DAY = dt.datetime(2026, 11, 2, 10, 0)


def _kid(vault):
    return students.search_students(vault, limit=1)[0]


def _loop_records(vault, kid, *, count=4, every=7):
    records.create_record(
        vault,
        "referral",
        student_id=kid.id,
        occurred_at=DAY,
        body={"institution": "市第三人民医院", "reason": "持续自伤", "status": "referred"},
    )
    records.create_record(
        vault,
        "hospital_escort",
        student_id=kid.id,
        occurred_at=DAY + dt.timedelta(minutes=50),
        body={
            "hospital": "市第三人民医院",
            "parent_called_by": "班主任李老师",
            "parent_called_at": DAY + dt.timedelta(minutes=20),
            "escorted_by": "王老师、校医",
            "handed_over_to": "父亲",
            "handed_over_at": DAY + dt.timedelta(hours=2),
        },
    )
    return records.create_record(
        vault,
        "return_to_school",
        student_id=kid.id,
        occurred_at=DAY + dt.timedelta(days=21),
        body={
            "documents": ["diagnosis", "certificate"],
            "meeting_participants": "王老师、班主任、家长",
            "adjustments": "暂免晚自习两周",
            "first_follow_up": (DAY + dt.timedelta(days=22)).date(),
            "follow_up_every_days": every,
            "follow_up_count": count,
        },
    )


def test_a_return_plan_books_its_follow_ups_as_appointments(populated_vault):
    kid = _kid(populated_vault)
    plan = _loop_records(populated_vault, kid)
    first = (DAY + dt.timedelta(days=22)).replace(hour=9, minute=0)
    due = records.upcoming(populated_vault, first + dt.timedelta(days=30), now=first)
    mine = [(u.when, u.what) for u in due if u.student_id == kid.id]
    assert mine == [
        (first + dt.timedelta(days=7 * i), f"复学后跟进（第 {i + 1} 次，共 4 次）")
        for i in range(4)
    ]
    kinds = [e.kind for e in records.timeline(populated_vault, kid.id)]
    assert kinds.count("appointment") == 4 and "return_to_school" in kinds
    assert all(
        records.get_record(populated_vault, e.id).body["plan_id"] == plan.id
        for e in records.timeline(populated_vault, kid.id)
        if e.kind == "appointment"
    )


def test_too_many_follow_ups_store_nothing(populated_vault):
    kid = _kid(populated_vault)
    with pytest.raises(ValidationError, match="最多一次安排 20 次跟进"):
        _loop_records(populated_vault, kid, count=30)
    kinds = [e.kind for e in records.timeline(populated_vault, kid.id)]
    assert "return_to_school" not in kinds and "appointment" not in kinds


def test_the_referral_loop_reads_back_with_every_date(populated_vault):
    kid = _kid(populated_vault)
    _loop_records(populated_vault, kid, count=2)
    steps = referral_loop(populated_vault, kid.id)
    assert [(s.when, s.done) for s in steps] == [
        (DAY, True),
        (DAY + dt.timedelta(minutes=20), True),
        (DAY + dt.timedelta(minutes=50), True),
        (DAY + dt.timedelta(hours=2), True),
        (DAY + dt.timedelta(days=21), True),
        ((DAY + dt.timedelta(days=22)).replace(hour=9, minute=0), False),
        ((DAY + dt.timedelta(days=29)).replace(hour=9, minute=0), False),
    ]
    words = [s.what for s in steps]
    assert words[1] == "班主任李老师 通知家长"
    assert words[2] == "送医：市第三人民医院，陪同：王老师、校医"
    assert words[3] == "交接家长：父亲"
    assert words[4] == "复学面谈（王老师、班主任、家长）；收到材料：诊断证明、复学证明"


def test_the_case_file_prints_the_escort_and_the_return(populated_vault):
    kid = _kid(populated_vault)
    _loop_records(populated_vault, kid, count=1)
    body = text(printing.case_file(populated_vault, kid.id)[0])
    assert "送医与复学" in body and "王老师、校医" in body and "暂免晚自习两周" in body


def test_the_city_learns_an_escort_happened_never_where_or_who(populated_vault):
    from sqlalchemy import select

    from app.models import Record
    from app.sync import policy

    kid = _kid(populated_vault)
    _loop_records(populated_vault, kid, count=1)
    with populated_vault.session() as s:
        escort = s.scalars(select(Record).where(Record.kind == "hospital_escort")).one()
        entity, payload = policy.serialize(s, escort, policy.default_policy())
    assert payload["kind"] == "hospital_escort" and "fields" not in payload
    assert "医院" not in str(payload) and "王老师" not in str(payload)


def test_a_follow_up_past_its_day_says_overdue_not_yet_to_come(populated_vault):
    kid = _kid(populated_vault)
    _loop_records(populated_vault, kid, count=2)
    first, second = referral_loop(populated_vault, kid.id)[-2:]
    between = first.when + dt.timedelta(days=1)
    assert first.line(between).endswith("复学后跟进（第 1 次，共 2 次）（逾期）")
    assert second.line(between).endswith("复学后跟进（第 2 次，共 2 次）（未进行）")
