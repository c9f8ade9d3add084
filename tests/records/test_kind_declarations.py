"""A record kind is one definition: where it is counted and whether the warning rules read it
are declared on the kind, and everything else follows from that declaration."""

import dataclasses

from app.records import workload
from app.records.kinds import KINDS


def test_every_counted_kind_names_a_district_workload_column():
    assert {k.key: k.workload for k in KINDS.values() if k.workload} == {
        "session": "sessions",
        "group_session": "group_sessions",
        "lesson": "lessons",
        "contact": "contacts",
    }
    assert all(k.workload in workload.CATEGORIES for k in KINDS.values() if k.workload)


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


def test_the_kinds_the_warning_rules_read_are_declared_as_evidence():
    assert {k.key for k in KINDS.values() if k.evidence} == {
        "session",
        "referral",
        "observation",
        "life_event",
    }
