"""Run work off the UI thread and deliver its result back on it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal

from app.ui.busy import LaneIndicator


class _Delivery(QObject):
    done = Signal(object, object, object)  # callback, result, error


class TaskRunner(QObject):
    """One serial lane: database work never runs concurrently with other database work."""

    def __init__(
        self, parent: QObject | None = None, *, inline: bool = False, indicate: bool = True
    ) -> None:
        super().__init__(parent)
        self._inline = inline
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xindang-db")
        self._delivery = _Delivery()
        self._delivery.done.connect(self._deliver)
        # Background work (the sync agent's timer) must not turn the person's cursor busy.
        self.indicator = LaneIndicator(self) if indicate else None

    def run(
        self,
        work: Callable[[], object],
        on_done: Callable[[object], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        if self._inline:
            try:
                result = work()
            except BaseException as exc:  # delivered to the caller's error handler
                on_error(exc)
                return
            on_done(result)
            return

        if self.indicator is not None:
            self.indicator.started()

        def job():
            try:
                self._delivery.done.emit(on_done, work(), None)
            except BaseException as exc:
                self._delivery.done.emit(on_error, None, exc)

        self._pool.submit(job)

    def _deliver(self, callback, result, error) -> None:
        if self.indicator is not None:
            self.indicator.finished()
        callback(error if error is not None else result)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
