"""Counseling records: every kind, versions not overwrites, voiding, private notes, timeline, workload."""

import datetime as dt

import pytest

from app.errors import PermissionDenied, ValidationError
from app.models import AuditEntry
from app.records.kinds import KINDS
from app.services import assessments, records, students, vaults
from app.services.records import Participant

T0 = dt.datetime(2026, 9, 10, 14, 0)


@pytest.fixture
def student(populated_vault):
    return students.search_students(populated_vault, limit=1)[0]


def session_body(**kw):
    return {
        "duration_min": 45,
        "mode": "in_person",
        "template": "soap",
        "risk_suicide": "none",
        "risk_self_harm": "none",
        "risk_others": "none",
        "sections": {"s": "说最近睡不好", "p": "下周再约"},
        **kw,
    }


def test_a_case_with_sessions(populated_vault, student):
    case = records.create_record(
        populated_vault,
        "case",
        student_id=student.id,
        occurred_at=T0,
        body={"problems": ["academic", "emotions"], "consent": "student"},
    )
    session = records.create_record(
        populated_vault,
        "session",
        student_id=student.id,
        parent_id=case.id,
        occurred_at=T0,
        body=session_body(),
    )
    assert case.body["status"] == "open" and session.parent_id == case.id
    assert session.body["sections"] == {"s": "说最近睡不好", "p": "下周再约"}


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        (
            "contact",
            {
                "guardian": "王父",
                "mode": "phone",
                "content": "沟通作息",
                "follow_up_on": "2026-09-20",
            },
        ),
        (
            "referral",
            {
                "institution": "市精神卫生中心",
                "reason": "持续失眠与情绪低落",
                "guardian_consent": True,
            },
        ),
        ("observation", {"source_role": "committee", "content": "最近常一个人吃饭"}),
        ("appointment", {"purpose": "复谈"}),
    ],
)
def test_every_student_record_kind_saves(populated_vault, student, kind, extra):
    r = records.create_record(
        populated_vault, kind, student_id=student.id, occurred_at=T0, body=extra
    )
    stored = records.get_record(populated_vault, r.id)
    assert (stored.kind, stored.student_id) == (kind, student.id)
    assert all(stored.body[k] == v for k, v in extra.items())


def test_a_lesson_belongs_to_a_class(populated_vault):
    cls = students.grades_and_classes(populated_vault)[0].classes[0]
    r = records.create_record(
        populated_vault,
        "lesson",
        class_id=cls.id,
        occurred_at=T0,
        body={"topic": "认识情绪", "lesson_type": "lesson"},
    )
    assert r.class_id == cls.id and r.body["duration_min"] == 40


def test_required_fields_and_unknown_fields_are_refused(populated_vault, student):
    with pytest.raises(ValidationError, match="接触内容|内容"):
        records.create_record(
            populated_vault,
            "contact",
            student_id=student.id,
            occurred_at=T0,
            body={"guardian": "王父", "mode": "phone"},
        )
    with pytest.raises(ValidationError, match="未知字段"):
        records.create_record(
            populated_vault,
            "observation",
            student_id=student.id,
            occurred_at=T0,
            body={"source_role": "committee", "content": "x", "mood": "sad"},
        )


def test_an_edit_keeps_the_previous_version_with_who_and_when(populated_vault, student):
    r = records.create_record(
        populated_vault,
        "observation",
        student_id=student.id,
        occurred_at=T0,
        body={"source_role": "head_teacher", "content": "上课走神"},
    )
    r2 = records.update_record(
        populated_vault, r.id, body={"source_role": "head_teacher", "content": "上课走神，作业未交"}
    )
    assert (r2.version, r2.body["content"]) == (2, "上课走神，作业未交")
    [old] = records.versions(populated_vault, r.id)
    assert (old.version, old.body["content"], old.saved_by) == (
        1,
        "上课走神",
        populated_vault.user.id,
    )


def test_referrals_cannot_be_deleted_only_voided_with_a_reason(populated_vault, student):
    r = records.create_record(
        populated_vault,
        "referral",
        student_id=student.id,
        occurred_at=T0,
        body={"institution": "医院", "reason": "评估"},
    )
    with pytest.raises(ValidationError, match="作废原因"):
        records.void_record(populated_vault, r.id, "  ")
    v = records.void_record(populated_vault, r.id, "录入到了错误的学生")
    assert v.voided and v.void_reason == "录入到了错误的学生"
    entry = records.timeline(populated_vault, student.id)[0]
    assert entry.voided
    with pytest.raises(ValidationError):
        records.update_record(populated_vault, r.id, body={"institution": "x", "reason": "y"})


def test_viewing_a_record_is_audited(populated_vault, student):
    r = records.create_record(
        populated_vault,
        "observation",
        student_id=student.id,
        occurred_at=T0,
        body={"source_role": "committee", "content": "情绪低落"},
    )
    records.get_record(populated_vault, r.id)
    with populated_vault.session() as s:
        last = s.query(AuditEntry).order_by(AuditEntry.seq.desc()).first()
    assert (last.action, last.object_id) == ("view_record", r.id)


def test_private_notes_stay_out_of_the_timeline_and_away_from_others(populated_vault, student):
    records.create_record(
        populated_vault,
        "private_note",
        student_id=student.id,
        occurred_at=T0,
        body={"text": "PRIVATE-CANARY 咨询师的自我觉察"},
    )
    assert records.timeline(populated_vault, student.id) == []
    assert [
        e.kind for e in records.timeline(populated_vault, student.id, include_private=True)
    ] == ["private_note"]
    vaults.add_user(
        populated_vault,
        login="li",
        display_name="李老师",
        role="counselor",
        passphrase="li-passphrase-1",
    )
    li = vaults.unlock(populated_vault.root, "li-passphrase-1", "li")
    assert records.timeline(li, student.id, include_private=True) == []
    note_id = records.timeline(populated_vault, student.id, include_private=True)[0].id
    with pytest.raises(PermissionDenied):
        records.get_record(li, note_id)
    li.lock()


def test_a_viewer_reads_no_records(populated_vault, student, principal):
    with pytest.raises(PermissionDenied):
        records.timeline(principal, student.id)


def test_group_sessions_appear_in_every_members_timeline(populated_vault):
    members = students.search_students(populated_vault, limit=3)
    program = records.create_record(
        populated_vault,
        "group_program",
        occurred_at=T0,
        title="人际交往小组",
        body={"theme": "人际交往", "planned_sessions": 6},
    )
    session = records.create_record(
        populated_vault,
        "group_session",
        parent_id=program.id,
        occurred_at=T0 + dt.timedelta(days=7),
        body={"topic": "破冰"},
        participants=[
            Participant(m.id, i != 2, "积极" if i == 0 else None) for i, m in enumerate(members)
        ],
    )
    for m in members:
        assert [e.id for e in records.timeline(populated_vault, m.id)] == [session.id]
    assert [p.attended for p in records.get_record(populated_vault, session.id).participants] == [
        True,
        True,
        False,
    ]


def test_the_timeline_mixes_kinds_newest_first_and_filters(populated_vault, student):
    assessments.record_result(
        populated_vault,
        student.id,
        "GAD-7",
        [1] * 7,
        mode="paper",
        administered_at=T0 - dt.timedelta(days=30),
    )
    records.create_record(
        populated_vault,
        "observation",
        student_id=student.id,
        occurred_at=T0,
        body={"source_role": "committee", "content": "早"},
    )
    records.create_record(
        populated_vault,
        "contact",
        student_id=student.id,
        occurred_at=T0 + dt.timedelta(days=2),
        body={"guardian": "母亲", "mode": "phone", "content": "晚"},
    )
    tl = records.timeline(populated_vault, student.id)
    assert [e.kind for e in tl] == ["contact", "observation", "assessment"]
    assert [
        e.kind for e in records.timeline(populated_vault, student.id, kinds={"observation"})
    ] == ["observation"]
    assert [e.kind for e in records.timeline(populated_vault, student.id, since=T0)] == [
        "contact",
        "observation",
    ]


def test_start_from_the_previous_session(populated_vault, student):
    records.create_record(
        populated_vault, "session", student_id=student.id, occurred_at=T0, body=session_body()
    )
    prev = records.previous_session(populated_vault, student.id)
    assert prev.body["template"] == "soap" and prev.body["sections"]["p"] == "下周再约"


def test_upcoming_lists_appointments_next_sessions_and_follow_ups(populated_vault, student):
    now = dt.datetime(2026, 9, 15, 9, 0)
    records.create_record(
        populated_vault,
        "appointment",
        student_id=student.id,
        occurred_at=now + dt.timedelta(hours=2),
        body={"purpose": "复谈"},
    )
    records.create_record(
        populated_vault,
        "session",
        student_id=student.id,
        occurred_at=now - dt.timedelta(days=7),
        body=session_body(next_appointment="2026-09-16T10:00"),
    )
    records.create_record(
        populated_vault,
        "contact",
        student_id=student.id,
        occurred_at=now - dt.timedelta(days=3),
        body={"guardian": "父亲", "mode": "phone", "content": "约定", "follow_up_on": "2026-09-14"},
    )
    items = records.upcoming(populated_vault, now + dt.timedelta(days=2), now=now)
    assert [u.what for u in items] == ["跟进：家校联系", "复谈", "下次辅导"]


def test_workload_per_teacher(populated_vault, student):
    cls = students.grades_and_classes(populated_vault)[0].classes[0]
    records.create_record(
        populated_vault, "session", student_id=student.id, occurred_at=T0, body=session_body()
    )
    records.create_record(
        populated_vault,
        "session",
        student_id=student.id,
        occurred_at=T0,
        body=session_body(duration_min=75),
    )
    records.create_record(
        populated_vault, "lesson", class_id=cls.id, occurred_at=T0, body={"topic": "情绪"}
    )
    records.create_record(
        populated_vault,
        "contact",
        student_id=student.id,
        occurred_at=T0,
        body={"guardian": "母亲", "mode": "phone", "content": "x"},
    )
    [w] = records.workload(populated_vault, dt.date(2026, 9, 1), dt.date(2027, 1, 31))
    assert (w.sessions, w.session_hours, w.lessons, w.contacts, w.group_sessions) == (
        2,
        2.0,
        1,
        1,
        0,
    )


def test_every_kind_has_labels_for_every_field():
    for kind in KINDS.values():
        assert kind.label and all(f.label for f in kind.fields)
