"""The one way widgets run work that touches the vault or takes long (after Anki's
`QueryOp`/`CollectionOp` and Orange's progress callables).

- **One database lane**: a single worker thread runs every piece of vault work in order, so two
  transactions never interleave and the window's thread never waits on SQLite.
- **A CPU/IO pool** for work that does not touch the vault: rendering pages to images, reading
  a spreadsheet the person chose.
- Results and errors come back on the main thread (`on_done`, `on_error`).
- **Long work** (`Ops.long`) gets a `Progress`: the core function receives it as a plain callable
  — `progress(done, total, text)` — and stops with `Cancelled` at its next report once the
  person pressed 取消. The status bar shows the words, a bar and the cancel button while it
  runs (`ProgressStrip`), after 200 ms so quick work does not flicker.
- `quiesce()` waits until the lane is empty: locking, rotating, restoring and handing over do
  it first, so no work in flight meets a closed vault.

Tests pass `inline=True` to run everything on the calling thread, in order.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal

from app.errors import Cancelled
from app.ui import heap
from app.ui.busy import DELAY_MS, LaneIndicator

REPORT_EVERY_S = 0.05

_lane = threading.local()


def in_lane() -> bool:
    """Whether the calling code runs as a lane's work (inline lanes run it on the window's
    thread, so the thread alone does not tell)."""
    return getattr(_lane, "depth", 0) > 0


@contextlib.contextmanager
def _as_lane_work():
    _lane.depth = getattr(_lane, "depth", 0) + 1
    try:
        yield
    finally:
        _lane.depth -= 1


class Progress:
    """Handed to long work: report how far it got, and learn whether to stop."""

    def __init__(self, op: Op | None = None) -> None:
        self._op = op
        self._cancel = threading.Event()
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, text: str = "") -> None:
        self.check()
        now = time.monotonic()
        if self._op is not None and (now - self._last >= REPORT_EVERY_S or done == total):
            self._last = now
            self._op.progressed.emit(int(done), total, text)

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


class Op(QObject):
    """One piece of long work: its progress, and a way to ask it to stop."""

    progressed = Signal(int, object, str)  # done, total (or None), text
    finished = Signal()

    def __init__(self, title: str, cancellable: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.cancellable = cancellable
        self.progress = Progress(self)
        self.running = True

    def cancel(self) -> None:
        if self.cancellable:
            self.progress.cancel()


class _Delivery(QObject):
    done = Signal(object, object, object)  # callback, result, error


class Ops(QObject):
    """The lanes, and what is running on them."""

    op_started = Signal(object)  # Op
    op_finished = Signal(object)

    def __init__(
        self, parent: QObject | None = None, *, inline: bool = False, indicate: bool = True
    ) -> None:
        super().__init__(parent)
        self._inline = inline
        if not inline:
            # Work in the lanes is mostly Python (the ORM, pinyin, parsing) and holds the GIL;
            # the window's thread gets it back at each switch. 1 ms instead of CPython's 5 ms
            # halves the window's stalls during an import (bench/stalls.py) for a few percent
            # of the lane's speed.
            sys.setswitchinterval(0.001)
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xindang-db")
        self._cpu = ThreadPoolExecutor(max_workers=2, thread_name_prefix="xindang-cpu")
        self._delivery = _Delivery()
        self._delivery.done.connect(self._deliver)
        self._pending: set[Future] = set()
        self._lock = threading.Lock()
        # Background work (the sync agent's timer) must not turn the person's cursor busy.
        self.indicator = LaneIndicator(self) if indicate else None
        self.ops: list[Op] = []

    # -- quick work -----------------------------------------------------------------------

    def run(
        self,
        work: Callable[[], object],
        on_done: Callable[[object], None],
        on_error: Callable[[BaseException], None],
        *,
        lane: str = "db",
        quiet: bool = False,
    ) -> None:
        """Work without progress (a save, a page's data). `quiet`: no busy cursor (a background
        refresh the person did not ask for)."""
        if self._inline:
            self._run_inline(work, on_done, on_error)
            return
        indicate = self.indicator is not None and not quiet
        if indicate:
            self.indicator.started()

        def job():
            try:
                with heap.paused(), _as_lane_work():
                    value = work()
                self._delivery.done.emit((on_done, indicate), value, None)
            except BaseException as exc:
                self._delivery.done.emit((on_error, indicate), None, exc)

        self._submit(lane, job)

    def wait(self, work: Callable[[], object], *, lane: str = "db") -> object:
        """A dialog's own small read or save, for code that needs the answer before it goes on
        (a form filled from the record it edits, a save the dialog closes after): `work` runs
        in the lane, in its turn, while the window's thread keeps painting and running its
        timers. Keys and clicks made meanwhile are held and delivered afterwards, so nothing
        typed is lost and nothing is started twice. Returns what `work` returned, or raises
        what it raised."""
        if self._inline or in_lane() or threading.current_thread() is not threading.main_thread():
            with _as_lane_work():
                return work()
        from PySide6.QtCore import QEventLoop

        loop = QEventLoop()
        box: dict[str, object] = {}
        indicate = self.indicator is not None
        if indicate:
            self.indicator.started()

        def job():
            try:
                with _as_lane_work():
                    box["value"] = work()
            except BaseException as exc:
                box["error"] = exc
            self._delivery.done.emit((lambda _: loop.quit(), indicate), None, None)

        self._submit(lane, job)
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        if "error" in box:
            raise box["error"]
        return box.get("value")

    # -- long work ------------------------------------------------------------------------

    def long(
        self,
        title: str,
        work: Callable[[Progress], object],
        on_done: Callable[[object], None],
        on_error: Callable[[BaseException], None],
        *,
        lane: str = "db",
        cancellable: bool = False,
        on_cancelled: Callable[[], None] | None = None,
    ) -> Op:
        """Work a person waits for: `work(progress)` runs on `lane`; the status bar shows
        `title`, the progress and (if `cancellable`) 取消. A cancelled run ends in
        `on_cancelled` (or nothing), never in `on_error`."""
        op = Op(title, cancellable, self)
        self.ops.append(op)
        self.op_started.emit(op)

        def finish(callback):
            def deliver(value):
                op.running = False
                if op in self.ops:
                    self.ops.remove(op)
                self.op_finished.emit(op)
                op.finished.emit()
                if isinstance(value, Cancelled):
                    if on_cancelled is not None:
                        on_cancelled()
                    return
                callback(value)

            return deliver

        if self._inline:
            self._run_inline(lambda: work(op.progress), finish(on_done), finish(on_error))
            return op

        def job():
            try:
                with heap.paused(), _as_lane_work():
                    value = work(op.progress)
                self._delivery.done.emit((finish(on_done), False), value, None)
            except BaseException as exc:
                self._delivery.done.emit((finish(on_error), False), None, exc)

        self._submit(lane, job)
        return op

    # -- lifecycle --------------------------------------------------------------------------

    def quiesce(self, *, cancel: bool = True, timeout: float = 30.0) -> bool:
        """Ask long work to stop (if `cancel`) and wait for the lanes to empty; True when they
        did. Results still to be delivered are dropped with the widgets that asked."""
        if cancel:
            for op in list(self.ops):
                op.cancel()
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = [f for f in self._pending if not f.done()]
            if not pending:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)

    def shutdown(self) -> None:
        self.quiesce()
        self._db.shutdown(wait=True)
        self._cpu.shutdown(wait=True)

    # -- internals ----------------------------------------------------------------------------

    def _submit(self, lane: str, job: Callable[[], None]) -> None:
        pool = self._db if lane == "db" else self._cpu
        future = pool.submit(job)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    @property
    def inline(self) -> bool:
        return self._inline

    def _run_inline(self, work, on_done, on_error) -> None:
        try:
            with _as_lane_work():
                result = work()
        except BaseException as exc:  # delivered to the caller's error handler
            on_error(exc)
            return
        on_done(result)

    def _deliver(self, target, result, error) -> None:
        callback, indicated = target
        if indicated and self.indicator is not None:
            self.indicator.finished()
        callback(error if error is not None else result)


_current: Ops | None = None


def install(ops: Ops) -> Ops:
    """The application's lanes (made once, at start)."""
    global _current
    _current = ops
    return ops


def current() -> Ops:
    """The lanes widgets run their work on; made on first use where no application did."""
    global _current
    if _current is None:
        _current = Ops()
    return _current


def show_after_delay(op: Op, show: Callable[[], None]) -> None:
    """Call `show` if `op` is still running after the busy delay."""
    QTimer.singleShot(DELAY_MS, lambda: show() if op.running else None)


def refresh_in_lane(
    widget,
    load: Callable[[], object],
    show: Callable[[object], None],
    *,
    key: str = "refresh",
    hidden_too: bool = False,
) -> None:
    """A page's data read in the database lane and shown on the window's thread.

    Refreshes of one page coalesce: while one is in flight, another request only marks it to
    run once more afterwards. A page gone (closed, locked) by the time the data arrives is left
    alone, and a vault locked meanwhile is not an error."""
    import shiboken6

    from app.errors import VaultLocked

    lanes = current()
    if not lanes.inline and not hidden_too and not widget.isVisible():
        # A page nobody looks at reads nothing (at unlock, every page used to queue its read):
        # it reads when it is next shown.
        _when_shown(widget, key, lambda: refresh_in_lane(widget, load, show, key=key))
        return
    state = widget.__dict__.setdefault("_lane_refresh", {})
    if state.get(key) is not None:
        state[key] = "again"
        return
    state[key] = "running"

    def settle() -> bool:
        again = state.get(key) == "again"
        state[key] = None
        if again and shiboken6.isValid(widget):
            refresh_in_lane(widget, load, show, key=key, hidden_too=hidden_too)
        return again

    def done(data) -> None:
        if settle() or not shiboken6.isValid(widget):
            return
        show(data)

    def failed(exc: BaseException) -> None:
        settle()
        if not isinstance(exc, VaultLocked):
            import logging

            logging.getLogger(__name__).warning("refresh failed: %s", type(exc).__name__)

    lanes.run(load, done, failed, quiet=True)


class _OnShow(QObject):
    """Runs what waits for a widget to be shown, once (a filter on that widget alone)."""

    def __init__(self, widget) -> None:
        super().__init__(widget)
        self.waiting: dict[str, Callable[[], None]] = {}
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.Show and self.waiting:
            waiting, self.waiting = self.waiting, {}
            QTimer.singleShot(0, lambda: [run() for run in waiting.values()])
        return False


def _when_shown(widget, key: str, run: Callable[[], None]) -> None:
    hook = widget.__dict__.get("_on_show")
    if hook is None:
        hook = widget.__dict__["_on_show"] = _OnShow(widget)
    hook.waiting[key] = run  # the newest request of each kind is the one that counts


def wait(work: Callable[[], object]) -> object:
    """`work` run in the database lane while the window waits painting (`Ops.wait`)."""
    return current().wait(work)
