"""What the principal (viewer) cannot read or print through the services, whatever the UI shows."""

import datetime as dt

import pytest

from app.errors import PermissionDenied
from app.services import assessments, printing, records, students
from tests.services.test_records import session_body


@pytest.fixture
def kid(populated_vault):
    return students.search_students(populated_vault, limit=1)[0]


def test_the_viewer_cannot_read_the_last_session_through_start_from_previous(
    populated_vault, principal, kid
):
    records.create_record(
        populated_vault,
        "session",
        student_id=kid.id,
        occurred_at=dt.datetime(2026, 11, 3, 9),
        body=session_body(sections={"s": "SESSION-CANARY", "p": "下周再约"}),
    )
    previous = records.previous_session(populated_vault, kid.id)
    assert previous.body["sections"]["s"] == "SESSION-CANARY"
    with pytest.raises(PermissionDenied):
        records.previous_session(principal, kid.id)


def test_the_viewer_sees_scores_but_not_which_items_were_critical_or_blank(
    populated_vault, principal, kid
):
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [1] * 8 + [2], mode="paper")
    [mine] = assessments.history(populated_vault, kid.id)
    [theirs] = assessments.history(principal, kid.id)
    assert mine.critical_items == (9,) and theirs.critical_items == ()
    assert (theirs.scale_id, theirs.total, theirs.band_label) == (
        mine.scale_id,
        mine.total,
        mine.band_label,
    )


def test_the_viewer_cannot_print_named_or_blank_answer_sheets(principal, kid):
    class_id = students.grades_and_classes(principal)[0].classes[0].id
    with pytest.raises(PermissionDenied):
        printing.answer_sheets(principal, "PHQ-9", class_id)
    with pytest.raises(PermissionDenied):
        printing.answer_sheets(principal, "PHQ-9")
