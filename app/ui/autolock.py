"""Idle auto-lock: any key or mouse input counts as activity; wall-clock time survives sleep."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    idle_timed_out = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None, clock=time.time) -> None:
        super().__init__(parent)
        self._clock = clock
        self.minutes = minutes
        self._last = clock()
        self._timer = QTimer(self)
        self._timer.setInterval(5000)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def eventFilter(self, obj, event) -> bool:
        if event.type() in _ACTIVITY:
            self._last = self._clock()
        return False

    def touch(self) -> None:
        self._last = self._clock()

    def check(self) -> None:
        if self.minutes > 0 and self._clock() - self._last >= self.minutes * 60:
            self._last = self._clock()
            self.idle_timed_out.emit()

    def stop(self) -> None:
        self._timer.stop()
