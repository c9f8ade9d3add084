"""The window's own memory: a fresh process opens the real window on a vault, unlocks it as a
person does, lets every page fill, then opens and closes 20 archives.

Run as a child (`python -m bench.gui_memory VAULT`) so the figure is the GUI's, not the
benchmark's (which built the school); prints one JSON line of resident sizes in MiB."""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path


def _rss_mib() -> float:
    with open("/proc/self/status") as fh:
        return next(int(x.split()[1]) for x in fh if x.startswith("VmRSS")) / 1024


def _settle(app, shell, seconds: float = 0.5) -> None:
    """Run a real event loop for a while, as the application does (`processEvents` alone never
    deletes what `deleteLater` retired: closed archives would seem to leak)."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline or shell.runner.ops:
        loop = QEventLoop()
        QTimer.singleShot(10, loop.quit)
        loop.exec()
    shell.runner.quiesce(cancel=False)
    app.processEvents()


def main(root: Path, passphrase: str) -> dict:
    from PySide6.QtWidgets import QApplication

    from app.ui.application import Shell
    from app.ui.ops import Ops

    app = QApplication.instance() or QApplication([])
    shell = Shell(root, runner=Ops())
    shell.show()
    app.processEvents()
    before = _rss_mib()
    shell.unlock_view.passphrase.setText(passphrase)
    shell.unlock_view.unlock_button.click()
    while shell.workspace is None:
        app.processEvents()
        time.sleep(0.01)
    _settle(app, shell, 2.0)
    ws = shell.workspace
    for key in ("home", "students", "warnings", "records", "assessments", "reports"):
        ws.show_section(key)
        _settle(app, shell, 0.3)
    unlocked = _rss_mib()
    from app.services import students

    ids = [r.id for r in students.search_students(shell.vault, limit=40)]
    sizes = []
    for sid in ids[:20]:
        ws.open_student(sid)  # read in the database lane: the page comes when the data does
        while ws.archive is None or ws.archive.student_id != sid:
            _settle(app, shell, 0.01)
        _settle(app, shell, 0.1)
        ws.close_archive()
        _settle(app, shell, 0.05)
        sizes.append(_rss_mib())
    gc.collect()
    after = _rss_mib()
    shell.lock()
    app.processEvents()
    return {
        "before_unlock": round(before, 1),
        "after_unlock": round(unlocked, 1),
        "after_20_archives": round(after, 1),
        "after_10_archives": round(sizes[9], 1),
    }


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print(json.dumps(main(Path(sys.argv[1]), sys.argv[2])))
