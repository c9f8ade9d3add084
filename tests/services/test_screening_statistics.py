"""Screening figures: invalid sheets counted apart, rates and means with their intervals, this
semester beside the last, reliable change — values worked by hand."""

import datetime as dt

import pytest

from app.services import assessments, printing, screening_statistics, students
from tests.reports.test_documents import text

SPRING = dt.datetime(2026, 3, 10, 9)


@pytest.fixture
def klass(populated_vault):
    """Eleven pupils of one class: eight GAD-7 14 (moderate, positive), two 0, one too fast;
    the ten valid ones took it last spring too, all at 7 (mild)."""
    first = students.search_students(populated_vault, limit=1)[0]
    cls_id = next(
        c.id
        for g in students.grades_and_classes(populated_vault)
        for c in g.classes
        if f"{g.name}{c.name}" == f"{first.grade}{first.class_name}"
    )
    kids = students.search_students(
        populated_vault, students.StudentFilter(class_id=cls_id), limit=11
    )
    record = assessments.record_result
    for k in kids[:10]:
        record(populated_vault, k.id, "GAD-7", [1] * 7, mode="paper", administered_at=SPRING)
    for k in kids[:8]:
        record(populated_vault, k.id, "GAD-7", [2] * 7, mode="paper")
    for k in kids[8:10]:
        record(populated_vault, k.id, "GAD-7", [0] * 7, mode="paper")
    record(populated_vault, kids[10].id, "GAD-7", [2] * 7, mode="kiosk", seconds=[0.1] * 7)
    return f"{first.grade}{first.class_name}", kids


def test_the_class_row_keeps_the_invalid_sheet_out_of_the_bands(populated_vault, klass):
    label, _kids = klass
    stats = screening_statistics.statistics(populated_vault, "GAD-7")
    [row] = [c for c in stats.classes if c.label == label]
    assert (row.taken, row.valid, row.invalid, row.bands, row.positive) == (
        11,
        10,
        1,
        (2, 0, 8, 0),
        8,
    )


def test_the_school_rate_and_mean_carry_95_percent_intervals(populated_vault, klass):
    stats = screening_statistics.statistics(populated_vault, "GAD-7")
    now = next(f for f in stats.figures if f.group == "全校" and f.semester == stats.semester)
    # 8 / 10 → Wilson .4902–.9433; totals 8 × 14 and 2 × 0: mean 11.2, SD 5.903,
    # t(9) = 2.262, half = 2.262 × 5.903 / √10 = 4.222
    assert (now.valid, now.invalid, now.positive) == (10, 1, 8)
    assert (round(now.rate.low, 4), round(now.rate.high, 4)) == (0.4902, 0.9433)
    assert (now.mean.estimate, round(now.mean.low, 2), round(now.mean.high, 2)) == (
        11.2,
        6.98,
        15.42,
    )
    spring = next(f for f in stats.figures if f.group == "全校" and f.semester == "2026春")
    assert (spring.valid, spring.positive, spring.mean.estimate) == (10, 0, 7)


def test_reliable_change_counts_students_with_two_valid_screenings(populated_vault, klass):
    # 7 → 14: RCI = 7 / (3.41 × √.17 × √2) = 3.52 (up); 7 → 0: −3.52 (down)
    change = screening_statistics.statistics(populated_vault, "GAD-7").change
    assert (change.pairs, change.up, change.down, change.unchanged) == (10, 8, 2, 0)


def test_the_printed_summary_names_nobody_and_shows_the_intervals(populated_vault, klass):
    _label, kids = klass
    body = text(printing.class_summary(populated_vault, "GAD-7")[0])
    assert "80.0%（49.0–94.3）" in body and "11.2（7.0–15.4）" in body
    assert "可靠上升8名，可靠下降2名" in body
    assert not any(k.name in body for k in kids)


def test_the_statistics_show_on_screen_as_printed(qtbot, populated_vault, klass):
    from PySide6.QtWidgets import QPushButton

    from app.ui.reports_page import ReportsPage
    from tests.ui.modals import click

    page = ReportsPage(populated_vault)
    qtbot.addWidget(page)
    page.show()
    page.scale.setCurrentIndex(page.scale.findData("GAD-7"))
    click(page.findChild(QPushButton, "statistics_button"))
    dialog = page.findChild(object, "statistics_dialog")
    table = dialog.table
    school = [table.item(0, c).text() for c in range(7)]
    assert school == ["全校", "2026秋", "10", "1", "8", "80.0 %（49.0–94.3）", "11.2（7.0–15.4）"]
    assert "可靠上升 8 名，可靠下降 2 名" in dialog.change.text()
