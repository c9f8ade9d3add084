"""The thin Qt adapter around the sync client: triggers, a background lane, signals.

Triggers: reachability back online (QNetworkInformation, a hint only), new outbox items, a
timer, and "sync now". Every attempt starts with the authenticated health call inside
`sync_once`; failures back off with full jitter (app/sync/schedule.py).
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QTimer, Signal

from app.services import sync
from app.services.permissions import allowed
from app.services.vaults import OpenVault
from app.sync import outbox
from app.sync.schedule import Schedule
from app.sync.transport import SyncError
from app.ui.ops import Ops, current

TICK_MS = 5000
NEW_ITEMS_DELAY = 3.0  # seconds: let a burst of saves settle, then send (warnings first)


class SyncAgent(QObject):
    started = Signal()
    finished = Signal(object)  # SyncReport
    failed = Signal(str)  # a message for the counselor
    outbox_grew = Signal()

    def __init__(
        self,
        vault: OpenVault,
        runner: Ops | None = None,
        parent: QObject | None = None,
        *,
        automatic: bool = True,
    ) -> None:
        super().__init__(parent)
        self.vault = vault
        # The application's lanes: a session runs on the I/O lane (its network waits never hold
        # up a save in the database lane; its transactions take turns on the one connection).
        self.runner = runner or current()
        self._enrolled: bool | None = None
        self.schedule = Schedule()
        self.running = False
        self._stop = threading.Event()
        self._unsubscribe = outbox.on_new_items(self._items_queued)
        self.outbox_grew.connect(self._soon)
        self.timer = QTimer(self, interval=TICK_MS)
        self.timer.timeout.connect(self.sync_if_due)
        self._network = None
        if automatic and allowed(vault.user.role, "sync"):
            self.timer.start()
            self._watch_network()

    def _items_queued(self) -> None:
        """Called from whichever thread committed; the signal hops to the UI thread."""
        try:
            self.outbox_grew.emit()
        except RuntimeError:  # this agent's Qt object is gone (the workspace was closed)
            self._unsubscribe()

    def _watch_network(self) -> None:
        try:
            from PySide6.QtNetwork import QNetworkInformation

            if QNetworkInformation.loadDefaultBackend() and QNetworkInformation.instance():
                self._network = QNetworkInformation.instance()
                self._network.reachabilityChanged.connect(self._reachability)
        except (ImportError, RuntimeError):  # no backend on this platform: the timer still runs
            self._network = None

    def _reachability(self, reachability) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability == QNetworkInformation.Reachability.Online:
            self.schedule.poke()

    def _soon(self) -> None:
        self.schedule.next_at = min(self.schedule.next_at, time.monotonic() + NEW_ITEMS_DELAY)

    def sync_if_due(self) -> None:
        """The timer's check: a sync starts when the schedule says it is due. Whether this
        computer is enrolled is read once, off the window's thread, not every tick."""
        if self.running or not self.schedule.due() or self.vault.is_locked:
            return
        if self._enrolled is None:
            self.runner.run(
                lambda: sync.status(self.vault).enrolled,
                self._enrollment_known,
                lambda _exc: None,
                lane="io",
                quiet=True,
            )
            return
        if self._enrolled:
            self.start()

    def _enrollment_known(self, enrolled: bool) -> None:
        self._enrolled = enrolled
        if enrolled:
            self.start()

    def sync_now(self) -> None:
        self._enrolled = None  # just enrolled, perhaps
        self.schedule.poke()
        self.start()

    def start(self) -> bool:
        if self.running or self.vault.is_locked:
            return False
        self.running = True
        self.started.emit()
        self.runner.run(
            lambda: sync.sync_now(self.vault, stop=self._stop),
            self._done,
            self._error,
            lane="io",
            quiet=True,
        )
        return True

    def _done(self, report) -> None:
        self.running = False
        self._enrolled = True
        self.schedule.succeeded()
        self.finished.emit(report)

    def _error(self, exc: BaseException) -> None:
        self.running = False
        if isinstance(exc, SyncError):
            self.schedule.failed(getattr(exc, "retry_after", None))
            self.failed.emit(sync.explain(exc))
        else:
            self.schedule.failed()
            self.failed.emit(str(exc))

    def stop(self) -> None:
        """Before locking: end the running session between batches and wait for it."""
        self.timer.stop()
        self._unsubscribe()
        self._stop.set()
        self.runner.quiesce(cancel=False)  # the session ends at its next step
