"""Work a person waits for runs off the window's thread, shows a busy cursor and says so in the
status bar — with its progress and a 取消 button when it is long."""

import datetime as dt
import threading

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

from app.ui.application import Shell
from app.ui.ops import Ops


def _shell(qtbot, vault, runner):
    shell = Shell(vault.root, runner=runner)
    qtbot.addWidget(shell)
    shell.show()
    shell.enter(vault)
    return shell


def test_a_summary_is_made_off_the_window_thread_and_then_previewed(qtbot, populated_vault):
    shell = _shell(qtbot, populated_vault, Ops())
    ws = shell.workspace
    ws.show_section("reports")
    button = ws.reports.findChild(QPushButton, "summary_print")
    qtbot.waitUntil(button.isEnabled, timeout=20000)  # the scales are read in the lane
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert QApplication.activeModalWidget() is None  # the click returned; the PDF is being made
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None, timeout=20000)
    preview = QApplication.activeModalWidget()
    assert preview.objectName() == "print_preview" and preview.images
    assert QApplication.overrideCursor() is None and not shell.progress_strip.isVisible()
    preview.reject()
    shell.lock()


def test_long_work_shows_its_progress_and_stops_when_cancel_is_clicked(qtbot, populated_vault):
    runner = Ops()
    shell = _shell(qtbot, populated_vault, runner)
    reached: list[int] = []
    ended: list[str] = []

    def work(progress):
        for step in range(1000):
            progress(step, 1000, f"第{step}步")
            reached.append(step)
            threading.Event().wait(0.01)
        return "finished"

    runner.long(
        "正在测试…",
        work,
        ended.append,
        lambda exc: ended.append(repr(exc)),
        cancellable=True,
        on_cancelled=lambda: ended.append("cancelled"),
    )
    strip = shell.progress_strip
    qtbot.waitUntil(lambda: strip.isVisible() and strip.bar.maximum() == 1000, timeout=5000)
    assert strip.label.text().startswith("正在测试…") and strip.cancel_button.isVisible()
    QTest.mouseClick(strip.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ended == ["cancelled"], timeout=5000)
    assert len(reached) < 1000 and not strip.isVisible()
    shell.lock()


def test_lane_work_over_200_ms_turns_the_cursor_busy_until_it_ends(qtbot, populated_vault):
    runner = Ops()
    shell = _shell(qtbot, populated_vault, runner)
    release = threading.Event()
    results: list[object] = []
    runner.run(lambda: release.wait(10), results.append, results.append)
    qtbot.waitUntil(lambda: QApplication.overrideCursor() is not None, timeout=3000)
    assert QApplication.overrideCursor().shape() == Qt.CursorShape.BusyCursor
    assert shell.statusBar().currentMessage() == "正在处理…"
    release.set()
    qtbot.waitUntil(lambda: results == [True], timeout=3000)
    assert QApplication.overrideCursor() is None
    assert shell.statusBar().currentMessage() == ""
    shell.lock()


def test_quick_lane_work_leaves_the_cursor_alone(qtbot, populated_vault):
    runner = Ops()
    shell = _shell(qtbot, populated_vault, runner)
    changes: list[str] = []
    shell.statusBar().messageChanged.connect(changes.append)
    results: list[object] = []
    runner.run(lambda: 1, results.append, results.append)
    qtbot.waitUntil(lambda: results == [1], timeout=3000)
    qtbot.wait(300)
    assert QApplication.overrideCursor() is None and "正在处理…" not in changes
    shell.lock()


def test_the_idle_lock_waits_for_running_work_and_counts_it_as_activity(qtbot, populated_vault):
    runner = Ops()
    shell = _shell(qtbot, populated_vault, runner)
    gate = threading.Event()
    runner.long("正在导入…", lambda progress: gate.wait(10), lambda _v: None, lambda _e: None)
    shell.idle.minutes = 0.01  # 0.6 s
    qtbot.wait(700)  # no key or mouse input for longer than that
    shell.idle.check()
    assert shell.vault is not None and runner.ops  # not locked under the import
    gate.set()
    qtbot.waitUntil(lambda: not runner.ops, timeout=5000)
    shell.idle.check()
    assert shell.vault is not None  # the minute counts from the end of the work
    shell.lock()


def test_input_is_noticed_again_once_long_work_ends(qtbot, populated_vault):
    runner = Ops()
    shell = _shell(qtbot, populated_vault, runner)
    runner.long("正在测试…", lambda progress: "done", lambda _v: None, lambda _e: None)
    qtbot.waitUntil(lambda: not runner.ops, timeout=5000)
    shell.idle.minutes = 0.01  # 0.6 s
    qtbot.wait(700)
    QTest.keyClick(shell.workspace.students.search, Qt.Key.Key_A)
    shell.idle.check()
    assert shell.vault is not None  # the key press counted as activity
    shell.lock()


def test_a_page_nobody_looks_at_reads_nothing_until_it_is_shown(qtbot, populated_vault):
    from app.services import records

    runner = Ops()
    shell = _shell(qtbot, populated_vault, runner)
    page = shell.workspace.records
    records.create_record(
        populated_vault,
        "lesson",
        class_id=students_class(populated_vault),
        occurred_at=dt.datetime.now(),
        body={"topic": "情绪管理"},
        title="情绪管理",
    )
    runner.quiesce(cancel=False)
    QApplication.processEvents()
    assert page.lessons.count() == 0  # not shown: not read
    shell.workspace.show_section("records")
    qtbot.waitUntil(lambda: page.lessons.count() == 1, timeout=5000)
    shell.lock()


def students_class(vault) -> str:
    from app.services import students

    return students.grades_and_classes(vault)[0].classes[0].id
