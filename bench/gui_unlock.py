"""Unlock → a usable window, as a person meets it: a fresh process shows the unlock window,
the passphrase is typed while the libraries load behind it (2 s), 解锁 is clicked, and the
clock stops when the workspace is shown.

Run as a child (`python -m bench.gui_unlock VAULT PASSPHRASE`) so the figure is the
application's, not the benchmark's: the process that built a 20,000-student history holds
millions of objects, and every pass of the collector in it walks them. Prints the seconds."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

TYPING_S = 2.0


def timed_unlock(app, shell, passphrase: str) -> float:
    """Seconds from 解锁 to the workspace shown; the shell is locked and closed after."""
    shell.unlock_view.passphrase.setText(passphrase)
    t = time.perf_counter()
    shell.unlock_view.unlock_button.click()
    while shell.workspace is None:
        app.processEvents()
    app.processEvents()
    took = time.perf_counter() - t
    shell.runner.quiesce(cancel=False)
    shell.lock()
    shell.close()
    app.processEvents()
    return took


def main(root: Path, passphrase: str) -> float:
    from PySide6.QtWidgets import QApplication

    from app.ui.application import Shell
    from app.ui.ops import Ops

    app = QApplication.instance() or QApplication([])
    shell = Shell(root, runner=Ops())
    shell.show()
    deadline = time.monotonic() + TYPING_S
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    return timed_unlock(app, shell, passphrase)


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print(round(main(Path(sys.argv[1]), sys.argv[2]), 4))
