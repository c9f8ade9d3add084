"""A dialog's own small read waits its turn in the database lane while the window goes on
painting and running its timers (`Ops.wait`), instead of freezing behind a long backup."""

import threading
import time

import pytest
from PySide6.QtCore import QTimer

from app.errors import VaultLocked
from app.ui.ops import Ops


@pytest.fixture
def lanes(qapp):
    ops = Ops(indicate=False)
    yield ops
    ops.shutdown()


def test_wait_runs_the_work_in_the_database_lane_and_returns_its_value(lanes):
    assert lanes.wait(lambda: threading.current_thread().name).startswith("xindang-db")


def test_wait_raises_what_the_work_raised(lanes):
    def locked():
        raise VaultLocked()

    with pytest.raises(VaultLocked):
        lanes.wait(locked)


def test_the_window_runs_its_timers_while_a_wait_queues_behind_long_work(lanes):
    lanes.run(lambda: time.sleep(0.6), lambda _v: None, lambda _e: None)
    ticks: list[float] = []
    timer = QTimer(interval=20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    started = time.monotonic()
    assert lanes.wait(lambda: "read") == "read"
    waited = time.monotonic() - started
    timer.stop()
    assert waited >= 0.4  # it queued behind the long work…
    assert len(ticks) >= 5  # …and the window's timers ran meanwhile
