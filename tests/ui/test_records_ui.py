"""Writing and finding records through the real widgets."""

import datetime as dt

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton

from app.services import records, students
from app.ui.application import Shell
from app.ui.ops import Ops
from app.ui.record_form import RecordForm
from app.ui.records_page import RecordsPage
from tests.ui.modals import click_ok


@pytest.fixture
def shell(qtbot, populated_vault):
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.enter(populated_vault)
    shell.show()
    shell.activateWindow()
    assert QTest.qWaitForWindowActive(shell)
    yield shell
    shell.lock()


def choose_risk(form, **levels):
    """Pick each risk field in its combo box, as the counselor must (default: none)."""
    for key in ("risk_suicide", "risk_self_harm", "risk_others"):
        box = form.editors[key]
        box.setCurrentIndex(box.findData(levels.get(key, "none")))


@pytest.fixture
def student(populated_vault):
    return students.search_students(populated_vault, limit=1)[0]


def test_ctrl_n_on_the_students_page_opens_a_new_session(qtbot, shell, student):
    shell.workspace.open_student(student.id)
    archive = shell.workspace.archive
    qtbot.keySequence(archive, QKeySequence(QKeySequence.StandardKey.New))
    form = archive.findChild(RecordForm)
    assert form is not None and form.isVisible() and form.kind.key == "session"
    form.section_edits["complaint"].setPlainText("考试焦虑，失眠两周")
    choose_risk(form, risk_suicide="low")
    click_ok(form)
    entry = records.timeline(shell.vault, student.id)[0]
    assert (entry.kind, entry.summary) == ("session", "考试焦虑，失眠两周")
    assert archive.timeline.table.item(0, 1).text() == "个体辅导"


def test_start_from_the_previous_session_copies_template_and_notes(qtbot, shell, student):
    records.create_record(
        shell.vault,
        "session",
        student_id=student.id,
        occurred_at=dt.datetime(2026, 9, 1, 10),
        body={
            "template": "dap",
            "risk_suicide": "none",
            "risk_self_harm": "none",
            "risk_others": "none",
            "sections": {"p": "继续放松训练"},
        },
    )
    form = RecordForm(shell.vault, "session", student_id=student.id)
    qtbot.addWidget(form)
    assert form.fill_from_previous()
    assert form.editors["template"].currentData() == "dap"
    assert (
        list(form.section_edits) == ["d", "a", "p"]
        and form.section_edits["p"].toPlainText() == "继续放松训练"
    )


def test_editing_from_the_timeline_makes_a_version_and_voiding_keeps_it_visible(
    qtbot, shell, student
):
    r = records.create_record(
        shell.vault,
        "contact",
        student_id=student.id,
        occurred_at=dt.datetime(2026, 9, 3, 16),
        body={"guardian": "母亲", "mode": "phone", "content": "沟通作息"},
    )
    shell.workspace.open_student(student.id)
    timeline = shell.workspace.archive.timeline
    form = timeline.open_row(0)
    form.editors["content"].setPlainText("沟通作息与手机使用")
    click_ok(form)
    assert records.get_record(shell.vault, r.id).version == 2
    form = timeline.open_row(0)
    history = form.show_history()
    assert "版本 1" in history.findChild(object, "version_list").item(0).text()
    assert form.void("联系对象记错")
    assert timeline.table.item(0, 3).text().endswith("（已作废）")


def test_a_group_session_records_attendance_for_a_whole_class(qtbot, shell):
    program = records.create_record(
        shell.vault,
        "group_program",
        occurred_at=dt.datetime(2026, 9, 1),
        title="情绪管理小组",
        body={"theme": "情绪管理"},
    )
    page = RecordsPage(shell.vault)
    qtbot.addWidget(page)
    page.programs.setCurrentRow(0)
    form = page.new_group_session()
    form.editors["topic"].setText("认识情绪")
    form.show()
    QTest.mouseClick(form.findChild(QPushButton, "add_class_button"), Qt.MouseButton.LeftButton)
    n = form.participant_table.rowCount()
    form.participant_table.item(1, 1).setCheckState(Qt.CheckState.Unchecked)
    form.participant_table.item(0, 2).setText("分享积极")
    click_ok(form)
    [session] = [e for e in records.timeline(shell.vault, form.participants()[0].student_id)]
    stored = records.get_record(shell.vault, session.id)
    assert stored.parent_id == program.id and len(stored.participants) == n
    assert stored.participants[0].observation == "分享积极" and not stored.participants[1].attended


def test_the_records_page_lists_what_is_due_and_the_workload(qtbot, shell, student):
    soon = dt.datetime.now() + dt.timedelta(hours=3)
    records.create_record(
        shell.vault,
        "appointment",
        student_id=student.id,
        occurred_at=soon,
        body={"purpose": "复谈"},
    )
    records.create_record(
        shell.vault,
        "session",
        student_id=student.id,
        occurred_at=dt.datetime.now(),
        body={"risk_suicide": "none", "risk_self_harm": "none", "risk_others": "none"},
    )
    page = RecordsPage(shell.vault)
    qtbot.addWidget(page)
    assert (
        page.due.count() == 1
        and "复谈" in page.due.item(0).text()
        and student.name in page.due.item(0).text()
    )
    assert [page.workload.item(0, c).text() for c in range(3)] == ["王老师", "1", "0.7"]


def test_a_lesson_chooses_its_class(qtbot, shell):
    page = RecordsPage(shell.vault)
    qtbot.addWidget(page)
    form = page.new_lesson()
    form.class_pick_top.setCurrentIndex(2)
    wanted = form.class_pick_top.currentData()
    form.editors["topic"].setText("压力与放松")
    form.when.setDateTime(QDateTime.currentDateTime())
    click_ok(form)
    assert form.saved.class_id == wanted and page.lessons.count() == 1


def test_a_new_session_is_filed_under_the_students_newest_case(qtbot, shell, student):
    case = records.create_record(
        shell.vault,
        "case",
        student_id=student.id,
        occurred_at=dt.datetime(2026, 9, 1),
        title="学业压力",
        body={"problems": ["academic"]},
    )
    form = RecordForm(shell.vault, "session", student_id=student.id)
    qtbot.addWidget(form)
    assert form.case_pick.currentData() == case.id and "学业压力" in form.case_pick.currentText()
    choose_risk(form)
    click_ok(form)
    assert form.saved.parent_id == case.id


def test_the_landing_page_says_what_is_due_today(qtbot, populated_vault, student):
    records.create_record(
        populated_vault,
        "appointment",
        student_id=student.id,
        occurred_at=dt.datetime.now() - dt.timedelta(minutes=5),
        body={"purpose": "复谈"},
    )
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.enter(populated_vault)
    due = shell.workspace.students.due
    assert due.text() == "今日待办 1 项，逾期 1 项 →" and not due.isHidden()
    due.click()
    assert shell.workspace.stack.currentWidget() is shell.workspace.records
    shell.lock()


def test_the_risk_screen_starts_empty_and_high_suicidal_ideation_alerts_at_once(
    qtbot, shell, student
):
    from PySide6.QtWidgets import QDialogButtonBox, QLabel

    from app.services import warnings

    shell.workspace.open_student(student.id)
    archive = shell.workspace.archive
    qtbot.keySequence(archive, QKeySequence(QKeySequence.StandardKey.New))
    form = archive.findChild(RecordForm)
    for key in ("risk_suicide", "risk_self_harm", "risk_others"):
        assert form.editors[key].currentText() == "（请选择）"
    save = form.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    form.section_edits["complaint"].setPlainText("说最近觉得活着没意思")
    QTest.mouseClick(save, Qt.MouseButton.LeftButton)
    assert "自杀意念为必填项" in form.findChild(QLabel, "record_error").text()
    assert records.timeline(shell.vault, student.id) == []
    choose_risk(form, risk_suicide="high")
    QTest.mouseClick(save, Qt.MouseButton.LeftButton)
    [w] = warnings.queue(shell.vault)
    assert (w.level, w.rule_id) == ("red", "session-risk-high")
    bar = shell.workspace.alert_bar
    assert bar.isVisible() and "个别咨询风险评估：自杀意念 高" in bar.list.item(0).text()
    assert shell.workspace.nav.item(3).text() == "预警（1）"
