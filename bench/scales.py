"""Issue 3 figures: scoring throughput."""

from __future__ import annotations

import random
import time

from app.scales.library import shipped_scale
from app.scales.scoring import score
from bench.foundation import figure, school_vault


def run() -> list[dict]:
    scl = shipped_scale("SCL-90")
    rng = random.Random(90)
    sheets = [[rng.choice((1, 1, 1, 2, 2, 3, 4, 5)) for _ in range(90)] for _ in range(10_000)]
    t = time.perf_counter()
    for answers in sheets:
        score(scl, answers)
    return [figure("score 10,000 SCL-90 answer sets", time.perf_counter() - t, "s", 2.0)]


def kiosk_latency(tmp) -> list[dict]:
    """Key press → next item on screen, through the real window and the encrypted store."""
    import statistics

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.services import kiosk
    from app.services import students as students_service
    from app.ui.kiosk_window import KioskWindow

    app = QApplication.instance() or QApplication([])
    vault = school_vault(tmp, "kiosk", 50)
    student = students_service.search_students(vault, limit=1)[0]

    def settle(seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)

    times = []
    for _ in range(2):
        state = kiosk.start(vault, student.id, ["PHQ-9", "GAD-7", "K10"])
        window = KioskWindow(vault, state, fullscreen=False)
        window.show()
        settle(window.DEBOUNCE_S + 0.05)
        QTest.keyClick(window, Qt.Key.Key_Return)  # the introduction → the first item
        for _i in range(26):
            # A key pressed before the student can have read the item is ignored on purpose
            # (the kiosk's debounce): each press waits as a reader would.
            settle(window.DEBOUNCE_S + 0.02)
            position = window.state.flat_position
            t = time.perf_counter()
            QTest.keyClick(window, Qt.Key.Key_1)
            app.processEvents()
            times.append((time.perf_counter() - t) * 1000)
            assert window.state.flat_position == position + 1, "the key did not answer"
        window.release()
        app.processEvents()
    vault.lock()
    ordered = sorted(times)
    return [
        figure("kiosk next-item latency p50", statistics.median(times), "ms"),
        figure("kiosk next-item latency p95", ordered[int(0.95 * (len(ordered) - 1))], "ms", 50.0),
    ]
