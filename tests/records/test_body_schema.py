"""Record bodies carry the format they were written in and are read in their kind's current form:
an upgrade step written once serves every screen, the warning rules and the workload alike."""

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from app.models import Record
from app.records import kinds
from app.services import records, warnings


def _split_risk(body: dict) -> dict:
    """The kind of step a release adds: one old 'risk' field became the three-part screen."""
    level = body.pop("risk", "none")
    return body | {"risk_suicide": level, "risk_self_harm": "none", "risk_others": "none"}


@pytest.fixture
def session_v1(populated_vault, kids):
    """A session saved by a release whose risk screen was one field (schema 1)."""
    view = records.create_record(
        populated_vault,
        "session",
        student_id=kids[0].id,
        occurred_at=dt.datetime.now() - dt.timedelta(hours=1),
        body={"risk_suicide": "none", "risk_self_harm": "none", "risk_others": "none"},
    )
    with populated_vault.session() as s:
        r = s.get(Record, view.id)
        r.body = {"duration_min": 40, "mode": "in_person", "template": "school", "risk": "high"}
    return view.id


@pytest.fixture
def schema_2(monkeypatch):
    kind = dataclasses.replace(kinds.KINDS["session"], schema=2, upgrades={1: _split_risk})
    monkeypatch.setitem(kinds.KINDS, "session", kind)


@pytest.fixture
def kids(populated_vault):
    from app.services import students

    return students.search_students(populated_vault, students.StudentFilter(), limit=2)


def _stored_schema(vault, record_id) -> int:
    with vault.session() as s:
        return s.scalar(select(Record.body_schema).where(Record.id == record_id))


def test_a_record_is_stored_with_its_kinds_current_schema(populated_vault, session_v1):
    assert _stored_schema(populated_vault, session_v1) == 1


def test_an_older_body_is_read_in_the_current_form(populated_vault, session_v1, schema_2):
    body = records.get_record(populated_vault, session_v1).body
    assert body["risk_suicide"] == "high" and "risk" not in body


def test_reading_an_older_body_writes_nothing(populated_vault, session_v1, schema_2):
    records.get_record(populated_vault, session_v1)
    assert _stored_schema(populated_vault, session_v1) == 1


def test_the_warning_rules_see_the_upgraded_risk_screen(populated_vault, session_v1, schema_2):
    warnings.evaluate_all(populated_vault)
    assert [w.level for w in warnings.queue(populated_vault)] == ["red"]


def test_saving_writes_the_current_form_and_keeps_the_old_version(
    populated_vault, session_v1, schema_2
):
    body = records.get_record(populated_vault, session_v1).body
    records.update_record(populated_vault, session_v1, body=body | {"homework": "写情绪日记"})
    assert _stored_schema(populated_vault, session_v1) == 2
    older = records.versions(populated_vault, session_v1)
    assert older[-1].body["risk_suicide"] == "high" and "risk" not in older[-1].body
