"""Work a person waits for says so: a busy cursor and a status-bar line while it runs.

Work on the UI thread (building a PDF, a backup) cannot run a timer, so `busy()` shows the
cursor and the words at once and repaints before the work starts. Work in the database lane
(`Ops`) shows them only when it has taken longer than `DELAY_MS`, so quick saves do not
flicker.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QStatusBar

from app.i18n import _

DELAY_MS = 200


def generating() -> str:
    return _("Generating…")


def working() -> str:
    return _("Working…")


def status_bar() -> QStatusBar | None:
    """The main window's status bar (dialogs have none of their own)."""
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMainWindow) and w.isVisible():
            return w.statusBar()
    return None


@contextmanager
def busy(text: str | None = None) -> Iterator[None]:
    words = text or working()
    bar = status_bar()
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    if bar is not None:
        bar.showMessage(words)
        bar.repaint()
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()
        if bar is not None and bar.currentMessage() == words:
            bar.clearMessage()


class LaneIndicator(QObject):
    """Shows 正在处理… and a busy cursor while the database lane has had work for a while."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending = 0
        self._shown = False
        self._timer = QTimer(self, singleShot=True, interval=DELAY_MS)
        self._timer.timeout.connect(self._show)

    def started(self) -> None:
        self._pending += 1
        if self._pending == 1:
            self._timer.start()

    def finished(self) -> None:
        self._pending = max(0, self._pending - 1)
        if self._pending:
            return
        self._timer.stop()
        if self._shown:
            self._shown = False
            QApplication.restoreOverrideCursor()
            bar = status_bar()
            if bar is not None and bar.currentMessage() == working():
                bar.clearMessage()

    def _show(self) -> None:
        if not self._pending or self._shown:
            return
        self._shown = True
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        bar = status_bar()
        if bar is not None:
            bar.showMessage(working())
