"""A record kind is one definition: where it is counted and whether the warning rules read it
are declared on the kind, and everything else follows from that declaration."""

import dataclasses

from app.records import workload
from app.records.kinds import KINDS


def test_every_counted_kind_names_a_district_workload_column():
    assert {k.key: k.workload for k in KINDS.values() if k.workload} == {
        "session": "sessions",
        "group_session": "group_sessions",
        "crisis": "crisis",
        "lesson": "lessons",
        "lecture": "parent_lectures",
        "training": "training",
        "contact": "contacts",
    }
    assert all(k.workload in workload.CATEGORIES for k in KINDS.values() if k.workload)
    chosen = [c for k in KINDS.values() if k.workload_by for c in k.workload_by[1].values()]
    assert sorted(chosen) == ["class_meetings", "home_visits", "teacher_lectures"]
    assert set(chosen) <= set(workload.CATEGORIES)


def test_the_minutes_a_kind_adds_to_the_hours_are_one_of_its_fields():
    for k in KINDS.values():
        if k.minutes:
            assert k.minutes in {f.key for f in k.fields}, k.key


def test_a_new_kind_counted_as_a_lesson_is_tallied_without_touching_the_tally(monkeypatch):
    talk = dataclasses.replace(KINDS["lesson"], key="parent_lecture", label="家长课堂")
    monkeypatch.setitem(KINDS, "parent_lecture", talk)
    rows = [
        ("u1", "lesson", {}),
        ("u1", "parent_lecture", {}),
        ("u1", "session", {"duration_min": 45}),
        ("u1", "private_note", {}),
    ]
    [w] = workload.tally(rows, {"u1": "王老师"})
    assert (w.lessons, w.sessions, w.session_hours, w.group_sessions, w.contacts) == (
        2,
        1,
        0.8,
        0,
        0,
    )


def test_every_bureau_column_is_counted_from_its_records():
    rows = [
        ("u1", "session", {"duration_min": 50}),
        ("u1", "session", {"duration_min": 40}),
        ("u1", "group_session", {}),
        ("u1", "crisis", {}),
        ("u1", "lesson", {"lesson_type": "lesson"}),
        ("u1", "lesson", {"lesson_type": "class_meeting"}),
        ("u1", "lecture", {"audience": "parents"}),
        ("u1", "lecture", {"audience": "teachers"}),
        ("u1", "training", {"duration_min": 270}),
        ("u1", "contact", {"mode": "home_visit"}),
        ("u1", "contact", {"mode": "phone"}),
        ("u1", "observation", {}),
    ]
    [w] = workload.tally(rows, {"u1": "王老师"})
    assert w.counts == {
        "sessions": 2,
        "group_sessions": 1,
        "crisis": 1,
        "lessons": 1,
        "class_meetings": 1,
        "parent_lectures": 1,
        "teacher_lectures": 1,
        "training": 1,
        "home_visits": 1,
        "contacts": 1,
    }
    assert w.hours == {"sessions": 1.5, "training": 4.5}


def test_the_kinds_the_warning_rules_read_are_declared_as_evidence():
    assert {k.key for k in KINDS.values() if k.evidence} == {
        "session",
        "referral",
        "observation",
        "life_event",
    }
