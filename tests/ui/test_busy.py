"""Work a person waits for shows a busy cursor and says so in the status bar."""

import threading

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

from app.ui.application import Shell
from app.ui.tasks import TaskRunner


def _shell(qtbot, vault, runner):
    shell = Shell(vault.root, runner=runner)
    qtbot.addWidget(shell)
    shell.show()
    shell.enter(vault)
    return shell


def test_printing_a_summary_says_generating_while_the_pdf_is_made(qtbot, populated_vault):
    shell = _shell(qtbot, populated_vault, TaskRunner(inline=True))
    said: list[str] = []
    shell.statusBar().messageChanged.connect(said.append)
    ws = shell.workspace
    ws.show_section("reports")
    QTest.mouseClick(ws.reports.findChild(QPushButton, "summary_print"), Qt.MouseButton.LeftButton)
    preview = QApplication.activeModalWidget()
    assert preview is not None and preview.objectName() == "print_preview"
    assert "正在生成…" in said
    assert QApplication.overrideCursor() is None
    assert shell.statusBar().currentMessage() == ""
    preview.reject()
    shell.lock()


def test_lane_work_over_200_ms_turns_the_cursor_busy_until_it_ends(qtbot, populated_vault):
    runner = TaskRunner()
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
    runner = TaskRunner()
    shell = _shell(qtbot, populated_vault, runner)
    changes: list[str] = []
    shell.statusBar().messageChanged.connect(changes.append)
    results: list[object] = []
    runner.run(lambda: 1, results.append, results.append)
    qtbot.waitUntil(lambda: results == [1], timeout=3000)
    qtbot.wait(300)
    assert QApplication.overrideCursor() is None and "正在处理…" not in changes
    shell.lock()
