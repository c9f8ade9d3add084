"""Kiosk, paper entry and history, driven through the real widgets."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from app.services import assessments, kiosk, students, vaults
from app.ui.application import Shell
from app.ui.kiosk_window import KioskWindow
from app.ui.paper_entry_dialog import PaperEntryDialog
from app.ui.tasks import TaskRunner
from tests.conftest import PASSPHRASE


@pytest.fixture
def student(populated_vault):
    return students.search_students(populated_vault, limit=1)[0]


@pytest.fixture
def kiosk_window(qtbot, populated_vault, student):
    state = kiosk.start(populated_vault, student.id, ["PHQ-2", "GAD-2"])
    window = KioskWindow(populated_vault, state, fullscreen=False)
    qtbot.addWidget(window)
    window.show()
    yield window
    window._allow_close = True


def test_digit_keys_answer_and_advance(qtbot, kiosk_window):
    assert kiosk_window.question.text().startswith("1. 做事时提不起劲")
    qtbot.keyClick(kiosk_window, Qt.Key.Key_2)  # second option: value 1
    assert kiosk_window.state.answers["PHQ-2"] == [1, None]
    assert kiosk_window.progress.text() == "第 2 题，共 4 题"


def test_keys_outside_the_options_do_nothing(qtbot, kiosk_window):
    qtbot.keyClick(kiosk_window, Qt.Key.Key_9)
    assert kiosk_window.state.answers["PHQ-2"] == [None, None]


def test_escape_close_and_alt_f4_stay_in_the_kiosk(qtbot, kiosk_window):
    qtbot.keyClick(kiosk_window, Qt.Key.Key_Escape)
    qtbot.keyClick(kiosk_window, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    event = QCloseEvent()
    kiosk_window.closeEvent(event)
    kiosk_window.close()
    assert not event.isAccepted()
    assert kiosk_window.isVisible()


def test_leaving_needs_a_counselor_passphrase(qtbot, kiosk_window):
    assert not kiosk_window.try_exit("a student guess")
    assert kiosk_window.isVisible()
    with qtbot.waitSignal(kiosk_window.left):
        assert kiosk_window.try_exit(PASSPHRASE)
    assert not kiosk_window.isVisible()


def test_the_end_is_a_neutral_thank_you_without_scores(
    qtbot, kiosk_window, populated_vault, student
):
    for key in (Qt.Key.Key_4, Qt.Key.Key_4, Qt.Key.Key_1, Qt.Key.Key_1):
        qtbot.keyClick(kiosk_window, key)
    assert kiosk_window.question.text() == "谢谢！你已完成全部题目，请告诉老师。"
    assert not any(ch.isdigit() for ch in kiosk_window.question.text())
    history = assessments.history(populated_vault, student.id)
    assert {(h.scale_id, h.total) for h in history} == {("PHQ-2", 6), ("GAD-2", 0)}


def test_a_crash_mid_kiosk_resumes_at_the_same_item(qtbot, populated_vault, student):
    state = kiosk.start(populated_vault, student.id, ["PHQ-2", "GAD-2"])
    window = KioskWindow(populated_vault, state, fullscreen=False)
    qtbot.addWidget(window)
    qtbot.keyClick(window, Qt.Key.Key_2)
    qtbot.keyClick(window, Qt.Key.Key_3)
    qtbot.keyClick(window, Qt.Key.Key_1)
    window._allow_close = True
    window.close()
    populated_vault.lock()  # the power goes
    again = vaults.unlock(populated_vault.root, PASSPHRASE, "admin")
    shell = Shell(again.root, runner=TaskRunner(inline=True))
    qtbot.addWidget(shell)
    shell.enter(again)
    page = shell.workspace.assessments
    assert page.unfinished.count() == 1 and "已答 3 题，共 4 题" in page.unfinished.item(0).text()
    with qtbot.waitSignal(page.resume_requested) as blocker:
        page._resume()
    resumed = shell.resume_kiosk(blocker.args[0])
    resumed._allow_close = True
    assert (resumed.state.scale_id, resumed.state.item) == ("GAD-2", 2)
    assert resumed.question.text().startswith("2. 不能够停止或控制担忧")
    shell.lock()


def test_leaving_the_kiosk_shows_critical_answers_to_the_counselor(qtbot, populated_vault, student):
    shell = Shell(populated_vault.root, runner=TaskRunner(inline=True))
    qtbot.addWidget(shell)
    shell.enter(populated_vault)
    state = kiosk.start(populated_vault, student.id, ["PHQ-9"])
    window = shell.open_kiosk(state, fullscreen=False)
    for _ in range(8):
        qtbot.keyClick(window, Qt.Key.Key_1)
    qtbot.keyClick(window, Qt.Key.Key_3)  # item 9 = 2
    assert window.try_exit(PASSPHRASE)
    box = shell.findChild(QMessageBox, "critical_alert_box")
    assert box is not None and box.isVisible() and "PHQ-9 · 9" in box.text()
    assert shell.workspace.stack.currentWidget() is shell.workspace.assessments
    assert shell.workspace.assessments.alerts.count() == 1
    box.close()


def test_paper_grid_advances_on_digits_and_refuses_invalid_ones(qtbot, populated_vault):
    dialog = PaperEntryDialog(populated_vault, scale_id="GAD-7")
    qtbot.addWidget(dialog)
    grid = dialog.grid
    qtbot.keyClick(grid, Qt.Key.Key_2)
    assert (grid.item(0, 0).text(), grid.currentColumn()) == ("2", 1)
    qtbot.keyClick(grid, Qt.Key.Key_7)  # not an option on GAD-7
    assert (grid.item(0, 1).text(), grid.currentColumn()) == ("", 1)
    for _ in range(6):
        qtbot.keyClick(grid, Qt.Key.Key_1)
    assert grid.item(0, 7).text() == "8" and (grid.currentRow(), grid.currentColumn()) == (1, 0)


def test_double_entry_mismatch_is_marked_and_nothing_saved_until_resolved(qtbot, populated_vault):
    dialog = PaperEntryDialog(populated_vault, scale_id="GAD-7")
    qtbot.addWidget(dialog)
    dialog.double.setChecked(True)
    grid = dialog.grid
    first_student = grid.rows[0].id
    for key in "1111111":
        qtbot.keyClick(grid, key)
    dialog.save()  # first pass kept, grid cleared for the second pass
    assert dialog.status.text() == "第二遍：请再次录入同一批答卷"
    grid.setCurrentCell(0, 0)
    for key in "1111112":
        qtbot.keyClick(grid, key)
    dialog.save()
    assert "两遍录入有 1 个答案不一致" in dialog.error.text()
    assert grid.item(0, 6).background().color().name() == "#ffcdd2"
    assert assessments.history(populated_vault, first_student) == []
    grid.setCurrentCell(0, 6)
    qtbot.keyClick(grid, "1")
    dialog.save()
    [saved] = assessments.history(populated_vault, first_student)
    assert (saved.total, saved.mode) == (7, "paper")


def test_the_archive_shows_the_assessment_history(qtbot, populated_vault, student):
    assessments.record_result(populated_vault, student.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    shell = Shell(populated_vault.root, runner=TaskRunner(inline=True))
    qtbot.addWidget(shell)
    shell.enter(populated_vault)
    shell.workspace.open_student(student.id)
    shell.workspace.archive.tabs.setCurrentIndex(1)  # built when first shown
    table = shell.workspace.archive.findChild(object, "assessment_history")
    assert [table.item(0, c).text() for c in (1, 2, 4, 6)] == ["PHQ-9", "1", "无或极轻", "9"]
    QApplication.processEvents()


def test_back_then_forward_keeps_the_given_answer(qtbot, kiosk_window):
    qtbot.keyClick(kiosk_window, Qt.Key.Key_3)
    qtbot.keyClick(kiosk_window, Qt.Key.Key_Left)
    assert kiosk_window.state.item == 1 and kiosk_window.forward.isEnabled()
    qtbot.keyClick(kiosk_window, Qt.Key.Key_Right)
    assert kiosk_window.state.item == 2 and kiosk_window.state.answers["PHQ-2"] == [2, None]
    assert not kiosk_window.forward.isEnabled()


def test_a_plan_shows_who_has_not_taken_it(qtbot, populated_vault):
    import datetime as dt

    from app.services import plans
    from app.ui.assessments_page import AssessmentsPage

    cls = students.grades_and_classes(populated_vault)[0].classes[0]
    plan = plans.create_plan(
        populated_vault,
        name="秋季测评",
        scale_ids=["PHQ-9"],
        class_ids=[cls.id],
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 11, 30),
    )
    members = students.search_students(populated_vault, students.StudentFilter(class_id=cls.id))
    assessments.record_result(
        populated_vault, members[0].id, "PHQ-9", [0] * 9, mode="paper", plan_id=plan.id
    )
    page = AssessmentsPage(populated_vault)
    qtbot.addWidget(page)
    assert page.plans.item(0, 3).text() == f"1 / {len(members)}"
    box = page.show_plan(0)
    assert f"已完成：1 / {len(members)}" in box.text() and members[1].name in box.text()
    box.close()
