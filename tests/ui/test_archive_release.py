"""An archive closed is gone: its widgets, its rows and its timeline are freed, so a day of
opening students does not grow the window (bench/gui_memory measures the bytes)."""

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

from app.ui.application import Shell
from app.ui.archive_page import ArchivePage
from app.ui.ops import Ops


def _run_the_event_loop() -> None:
    """What the application's own loop does between two clicks (deferred deletes included)."""
    loop = QEventLoop()
    QTimer.singleShot(20, loop.quit)
    loop.exec()


def _archives() -> int:
    return sum(isinstance(w, ArchivePage) for w in QApplication.allWidgets())


def test_archives_opened_and_left_by_esc_leave_nothing_behind(qtbot, populated_vault):
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.show()
    shell.enter(populated_vault)
    ws = shell.workspace
    ws.show_section("students")
    table = ws.students.table
    widgets_before = None
    for row in range(6):
        QTest.mouseClick(
            table.viewport(),
            Qt.MouseButton.LeftButton,
            pos=table.visualRect(table.model().index(row, 0)).center(),
        )
        QTest.keyClick(table, Qt.Key.Key_Return)
        assert ws.archive is not None
        QTest.mouseClick(
            ws.archive.findChild(QPushButton, "back_button"), Qt.MouseButton.LeftButton
        )
        assert ws.archive is None
        _run_the_event_loop()
        assert _archives() == 0
        if widgets_before is None:
            widgets_before = len(QApplication.allWidgets())
    assert len(QApplication.allWidgets()) == widgets_before
    shell.lock()
