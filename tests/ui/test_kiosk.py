"""The student's kiosk with real keys, clicks and timings: intro, one item per screen, debounce,
review, help at the end; and the workspace behind it locked until a counselor returns."""

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from app.services import assessments, kiosk, students, vaults, warnings
from app.ui.application import Shell
from app.ui.kiosk_window import KioskWindow
from app.ui.ops import Ops
from tests.conftest import PASSPHRASE
from tests.ui.modals import answer_modals, click, type_and_ok


@pytest.fixture
def student(populated_vault):
    return students.search_students(populated_vault, limit=1)[0]


def settle(qtbot, window) -> None:
    """Wait as long as a student needs before a key counts (the kiosk's debounce)."""
    qtbot.wait(int(window.DEBOUNCE_S * 1000) + 40)


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    settle(qtbot, window)
    QTest.keyClick(window, key, modifier)


def begin(qtbot, window) -> None:
    press(qtbot, window, Qt.Key.Key_Return)
    assert window.stage == "items"


@pytest.fixture
def kiosk_window(qtbot, populated_vault, student):
    state = kiosk.start(populated_vault, student.id, ["PHQ-2", "GAD-2"])
    window = KioskWindow(populated_vault, state, fullscreen=False)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.release()


def test_the_intro_says_what_this_is_who_sees_it_and_that_self_harm_is_followed_up(
    qtbot, kiosk_window
):
    text = kiosk_window.question.text()
    assert "只有学校心理辅导室的老师能看到" in text and "当面聊一聊" in text
    assert kiosk_window.start_button.isVisible() and not kiosk_window.progress.isVisible()
    begin(qtbot, kiosk_window)
    assert kiosk_window.question.text().startswith("1. 做事时提不起劲")


def test_digit_keys_answer_and_advance(qtbot, kiosk_window):
    begin(qtbot, kiosk_window)
    press(qtbot, kiosk_window, Qt.Key.Key_2)  # second option: value 1
    assert kiosk_window.state.answers["PHQ-2"] == [1, None]
    assert kiosk_window.progress.text() == "第 2 题，共 4 题"


def test_a_second_key_right_after_does_not_answer_an_item_the_student_never_saw(
    qtbot, kiosk_window
):
    begin(qtbot, kiosk_window)
    press(qtbot, kiosk_window, Qt.Key.Key_1)
    QTest.keyClick(kiosk_window, Qt.Key.Key_4)  # a double press: microseconds after item 2 shows
    assert kiosk_window.state.answers["PHQ-2"] == [0, None]
    assert kiosk_window.state.item == 2


def test_a_held_key_answers_nothing(qtbot, kiosk_window):
    begin(qtbot, kiosk_window)
    settle(qtbot, kiosk_window)
    for _ in range(15):  # what a held "1" sends: auto-repeated presses
        QApplication.sendEvent(
            kiosk_window,
            QKeyEvent(
                QEvent.Type.KeyPress, Qt.Key.Key_1, Qt.KeyboardModifier.NoModifier, "1", True
            ),
        )
    assert kiosk_window.state.answered == 0


def test_keys_outside_the_options_do_nothing(qtbot, kiosk_window):
    begin(qtbot, kiosk_window)
    press(qtbot, kiosk_window, Qt.Key.Key_9)
    assert kiosk_window.state.answers["PHQ-2"] == [None, None]


def test_back_then_forward_keeps_the_given_answer(qtbot, kiosk_window):
    begin(qtbot, kiosk_window)
    press(qtbot, kiosk_window, Qt.Key.Key_3)
    press(qtbot, kiosk_window, Qt.Key.Key_Left)
    assert kiosk_window.state.item == 1 and kiosk_window.forward.isEnabled()
    press(qtbot, kiosk_window, Qt.Key.Key_Right)
    assert kiosk_window.state.item == 2 and kiosk_window.state.answers["PHQ-2"] == [2, None]
    assert not kiosk_window.forward.isEnabled()


def test_the_review_lets_the_student_change_any_answer_before_submitting(
    qtbot, kiosk_window, populated_vault, student
):
    begin(qtbot, kiosk_window)
    for key in (Qt.Key.Key_2, Qt.Key.Key_2, Qt.Key.Key_1, Qt.Key.Key_1):
        press(qtbot, kiosk_window, key)
    assert kiosk_window.stage == "review" and kiosk_window.review.count() == 4
    assert kiosk_window.review.item(0).text().endswith("好几天")
    assert assessments.history(populated_vault, student.id) == []  # nothing final yet
    settle(qtbot, kiosk_window)
    rect = kiosk_window.review.visualItemRect(kiosk_window.review.item(0))
    QTest.mouseClick(kiosk_window.review.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert kiosk_window.stage == "items" and kiosk_window.state.item == 1
    press(qtbot, kiosk_window, Qt.Key.Key_4)  # 几乎每天
    assert kiosk_window.stage == "review"
    assert kiosk_window.review.item(0).text().endswith("几乎每天")
    settle(qtbot, kiosk_window)
    click(kiosk_window.submit_button)
    history = assessments.history(populated_vault, student.id)
    assert {(h.scale_id, h.total) for h in history} == {("PHQ-2", 4), ("GAD-2", 0)}


def test_the_end_gives_help_resources_and_never_scores(qtbot, kiosk_window):
    begin(qtbot, kiosk_window)
    for key in (Qt.Key.Key_4, Qt.Key.Key_4, Qt.Key.Key_1, Qt.Key.Key_1):
        press(qtbot, kiosk_window, key)
    settle(qtbot, kiosk_window)
    click(kiosk_window.submit_button)
    text = kiosk_window.question.text()
    assert kiosk_window.stage == "done"
    assert "12356" in text and "心理辅导室" in text and "信任的大人" in text
    assert not any(word in text for word in ("PHQ", "GAD", "总分", "抑郁", "焦虑"))


def test_escape_close_and_alt_f4_stay_in_the_kiosk(qtbot, kiosk_window):
    QTest.keyClick(kiosk_window, Qt.Key.Key_Escape)
    QTest.keyClick(kiosk_window, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    event = QCloseEvent()
    QApplication.sendEvent(kiosk_window, event)
    kiosk_window.close()
    assert not event.isAccepted()
    assert kiosk_window.isVisible()


def test_the_kiosk_cannot_be_minimised(qtbot, kiosk_window):
    kiosk_window.showMinimized()
    qtbot.waitUntil(lambda: not kiosk_window.isMinimized() and kiosk_window.isVisible())
    kiosk_window.hide()
    qtbot.waitUntil(lambda: kiosk_window.isVisible())


def test_the_window_is_frameless_and_stays_on_top(kiosk_window):
    flags = kiosk_window.windowFlags()
    assert flags & Qt.WindowType.FramelessWindowHint
    assert flags & Qt.WindowType.WindowStaysOnTopHint


def test_leaving_needs_a_counselor_passphrase(qtbot, kiosk_window):
    answer_modals(type_and_ok("a student guess"))
    click(kiosk_window.exit_button)
    assert kiosk_window.isVisible()
    answer_modals(type_and_ok(PASSPHRASE))
    with qtbot.waitSignal(kiosk_window.left):
        click(kiosk_window.exit_button)
    assert not kiosk_window.isVisible()


@pytest.fixture
def shell(qtbot, populated_vault):
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.resize(1366, 768)
    shell.show()
    shell.enter(populated_vault)
    yield shell
    shell.lock()


def _visible_text(widget) -> str:
    return " ".join(w.text() for w in widget.findChildren(QLabel) if w.isVisible())


def test_while_a_student_answers_the_archive_behind_the_kiosk_is_locked(
    qtbot, shell, populated_vault, student
):
    shell.workspace.open_student(student.id)
    assert student.name in _visible_text(shell)
    window = shell.open_kiosk(kiosk.start(populated_vault, student.id, ["PHQ-2"]), fullscreen=False)
    assert shell.workspace is None and shell.stack.currentWidget() is shell.kiosk_cover
    shell.activateWindow()  # what Alt+Space → minimise → click on the main window did
    assert student.name not in _visible_text(shell)
    press(qtbot, window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.isVisible() and shell.kiosk is window and shell.vault is not None
    answer_modals(type_and_ok(PASSPHRASE))
    click(window.exit_button)
    assert shell.workspace is not None
    assert shell.workspace.stack.currentWidget() is shell.workspace.assessments


def test_a_critical_answer_waits_in_the_alert_bar_with_its_item_text_and_answer(
    qtbot, shell, populated_vault, student
):
    window = shell.open_kiosk(kiosk.start(populated_vault, student.id, ["PHQ-9"]), fullscreen=False)
    begin(qtbot, window)
    for _ in range(8):
        press(qtbot, window, Qt.Key.Key_1)
    press(qtbot, window, Qt.Key.Key_3)  # item 9 = 2, 一半以上的天数
    [w] = warnings.queue(populated_vault)
    assert (w.level, w.rule_id) == ("red", "critical-official")  # before the sheet is finished
    answer_modals(type_and_ok(PASSPHRASE))
    click(window.exit_button)
    bar = shell.workspace.alert_bar
    assert bar.isVisible() and bar.list.count() == 1
    text = bar.list.item(0).text()
    assert student.name in text and "一级" in text
    assert "PHQ-9 第9题「有不如死掉或用某种方式伤害自己的念头」：一半以上的天数（2）" in text
    nav = shell.workspace.nav.item(3)
    assert nav.text() == "预警（1）"
    # Leaving saved the complete sheet: the result is there too.
    assert [h.scale_id for h in assessments.history(populated_vault, student.id)] == ["PHQ-9"]


def test_an_alert_raised_while_locked_is_there_after_the_next_unlock(
    qtbot, shell, populated_vault, student
):
    window = shell.open_kiosk(kiosk.start(populated_vault, student.id, ["PHQ-9"]), fullscreen=False)
    begin(qtbot, window)
    for _ in range(8):
        press(qtbot, window, Qt.Key.Key_1)
    press(qtbot, window, Qt.Key.Key_2)  # item 9 = 1
    shell.idle.minutes = 1
    shell.idle._last -= 61  # the student walked away: the idle lock closes everything
    shell.idle.check()
    assert shell.vault is None and shell.kiosk is None
    again = vaults.unlock(populated_vault.root, PASSPHRASE, "admin")
    shell.enter(again)
    bar = shell.workspace.alert_bar
    assert bar.isVisible() and "第9题" in bar.list.item(0).text()
    again.lock()


def test_a_too_fast_severe_sheet_still_raises_red_with_a_flag(
    qtbot, shell, populated_vault, student
):
    window = shell.open_kiosk(kiosk.start(populated_vault, student.id, ["PHQ-9"]), fullscreen=False)
    begin(qtbot, window)
    for _ in range(9):  # 0.44 s per item, well under the 1 s the scale expects
        press(qtbot, window, Qt.Key.Key_4 if _ < 8 else Qt.Key.Key_1)
    settle(qtbot, window)
    click(window.submit_button)
    [result] = assessments.history(populated_vault, student.id)
    assert (result.total, result.valid, result.flags) == (24, False, ("too_fast",))
    [w] = warnings.queue(populated_vault)
    assert (w.level, w.rule_id, w.flags) == ("red", "severe-depression", ("too_fast",))


def test_the_kiosk_button_picks_the_student_by_number_and_the_battery_by_keys(
    qtbot, shell, populated_vault, student
):
    from PySide6.QtWidgets import QPushButton

    from tests.ui.modals import start_kiosk

    ws = shell.workspace
    QTest.mouseClick(
        ws.nav.viewport(),
        Qt.MouseButton.LeftButton,
        pos=ws.nav.visualItemRect(ws.nav.item(2)).center(),
    )
    assert ws.stack.currentWidget() is ws.assessments
    seen = answer_modals(start_kiosk(student.student_no, "PHQ-2"))
    click(ws.assessments.findChild(QPushButton, "kiosk_button"))
    assert seen == ["开始学生自助测评"]
    window = shell.kiosk
    assert window is not None and window.isVisible() and shell.workspace is None
    assert window.state.student_id == student.id and window.state.scale_ids == ("PHQ-2",)
    answer_modals(type_and_ok(PASSPHRASE))
    click(window.exit_button)
    assert shell.workspace is not None


def test_a_scale_without_instructions_is_headed_by_its_neutral_title(
    qtbot, populated_vault, student
):
    state = kiosk.start(populated_vault, student.id, ["SCL-90"])
    window = KioskWindow(populated_vault, state, fullscreen=False)
    qtbot.addWidget(window)
    window.show()
    begin(qtbot, window)
    assert window.header.text().startswith("心理健康问卷 ")
    assert "症状自评量表" not in window.header.text() and "SCL" not in window.header.text()
    window.release()
