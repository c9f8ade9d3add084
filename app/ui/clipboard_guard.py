"""Text copied out of XinDang (a name, a 学籍号, a line of a note) leaves the clipboard again.

Whenever the clipboard changes while one of our windows is active, the copy came from us: after
a timeout it is cleared, unless something else has been copied meanwhile. Locking clears it at
once.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

DEFAULT_SECONDS = 45


class ClipboardGuard(QObject):
    def __init__(self, seconds: float = DEFAULT_SECONDS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.seconds = seconds
        self._ours: str | None = None
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._expire)
        QApplication.clipboard().dataChanged.connect(self._changed)

    def _changed(self) -> None:
        text = QApplication.clipboard().text()
        if not text:
            return
        if QApplication.activeWindow() is None:  # copied in another program: not ours to clear
            self._ours = None
            self._timer.stop()
            return
        self._ours = text
        self._timer.start(int(self.seconds * 1000))

    def _expire(self) -> None:
        if self._ours is not None and QApplication.clipboard().text() == self._ours:
            QApplication.clipboard().clear()
        self._ours = None
