"""Issue 17 figures: the longest stall of the window's thread while long work runs, and the
case file of a student with a history.

A 5,000-student school; the real window (`Shell`) with real lanes (`Ops()`); each operation
started as a person starts it (its button), a 5 ms timer on the window's thread recording the
longest gap between its ticks until the work is done. Target: < 50 ms for each.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from pathlib import Path

from bench.foundation import figure, school_vault


class Watchdog:
    """The longest time the window's thread did not get to run a 5 ms timer."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer(interval=5)
        self.timer.timeout.connect(self._tick)
        self.worst = 0.0
        self._last = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self._last)
        self._last = now

    def start(self) -> None:
        self.worst = 0.0
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        self._tick()
        return self.worst * 1000


def _wait(app, done, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("operation did not finish")
        app.processEvents()
        time.sleep(0.002)


def _history(vault, student_id: str) -> None:
    from app.services import assessments, records

    case = records.create_record(
        vault,
        "case",
        student_id=student_id,
        occurred_at=dt.datetime(2025, 9, 1, 9),
        body={"problems": ["emotions"]},
    )
    for k in range(60):
        records.create_record(
            vault,
            "session",
            student_id=student_id,
            parent_id=case.id,
            occurred_at=dt.datetime(2025, 9, 2, 9) + dt.timedelta(days=7 * k),
            body={
                "duration_min": 45,
                "mode": "in_person",
                "template": "soap",
                "risk_suicide": "none",
                "risk_self_harm": "none",
                "risk_others": "none",
                "sections": {"s": f"第{k + 1}次会谈的主诉" * 5, "p": "继续随访"},
            },
        )
    for k in range(12):
        assessments.record_result(
            vault,
            student_id,
            "PHQ-9" if k % 2 else "GAD-7",
            ([k % 3] * 9) if k % 2 else ([k % 3] * 7),
            mode="paper",
            administered_at=dt.datetime(2025, 9, 15) + dt.timedelta(days=30 * k),
        )
    for k in range(5):
        records.create_record(
            vault,
            "life_event",
            student_id=student_id,
            occurred_at=dt.datetime(2026, 3, 1 + k, 9),
            body={"event_type": "bereavement", "description": "亲人去世"},
        )


def run(tmp: Path) -> list[dict]:
    from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

    from app.services import printing, students, synthetic
    from app.ui.application import Shell
    from app.ui.import_wizard import ImportWizard
    from app.ui.ops import Ops

    app = QApplication.instance() or QApplication([])
    vault = school_vault(tmp, "stalls", 5000)
    kid = students.search_students(vault, limit=1)[0]
    _history(vault, kid.id)
    out = []

    times = []
    for _ in range(5):
        t = time.perf_counter()
        printing.case_file(vault, kid.id)
        times.append(time.perf_counter() - t)
    out.append(
        figure(
            "case file: 60 sessions, 12 results, 5 life events (median of 5)",
            statistics.median(times),
            "s",
            0.5,
        )
    )

    shell = Shell(vault.root, runner=Ops())
    shell.show()
    shell.enter(vault)
    app.processEvents()
    ws = shell.workspace
    dog = Watchdog()
    QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)

    def measure(name: str, start, done) -> None:
        dog.start()
        start()
        _wait(app, done)
        out.append(figure(f"window stall while: {name}", dog.stop(), "ms", 50.0))

    ws.show_section("settings")
    page = ws.settings
    page.backup_folder.setText(str(tmp / "usb"))
    measure(
        "backup, 5,000 students",
        lambda: page.findChild(QPushButton, "backup_now_button").click(),
        lambda: page.backup_status.text().startswith(("备份已写入", "Backup written")),
    )
    before = vault.database_key()
    measure(
        "key rotation (re-encryption)",
        lambda: page.findChild(QPushButton, "rotate_key_button").click(),
        lambda: not shell.runner.ops and vault.database_key() != before,
    )
    ws.show_section("warnings")
    wpage = ws.pages["warnings"]
    measure(
        "rule evaluation, all students",
        lambda: wpage.evaluate_button.click(),
        lambda: wpage.evaluate_button.isEnabled() and not shell.runner.ops,
    )
    measure(
        "opening a counseled student's archive",
        lambda: ws.open_student(kid.id),
        lambda: ws.archive is not None and not shell.runner.ops,
    )
    dialog = ws.archive.print_case_file()
    measure(
        "case file with history (build and preview)",
        lambda: dialog.make(),
        lambda: dialog.preview is not None,
    )
    dialog.preview.close()
    csv = synthetic.write_roster_csv(
        tmp / "more.csv", synthetic.generate_students(5000, seed=91, school_year_start=2025)
    )
    wizard = ImportWizard(vault, ws)
    wizard.show()
    wizard.page(0).path.setText(str(csv))

    def import_all() -> None:
        wizard.next()  # read the file (CPU lane), then the preview page

    measure("reading a 5,000-row roster", import_all, lambda: wizard.currentId() == 1)
    wizard.page(1).valid_only.setChecked(True)
    measure(
        "importing 5,000 rows",
        lambda: wizard.next(),
        lambda: wizard.currentId() == 2 and wizard.page(2).isComplete(),
    )
    wizard.close()
    shell.lock()
    app.processEvents()
    from PySide6.QtWidgets import QDialogButtonBox

    from app.services import backups
    from bench.foundation import PASSPHRASE

    [made] = backups.list_backups(tmp / "usb")
    restore = shell.unlock_view.open_restore()
    restore.folder.setText(str(made.path))
    restore.secret.setText(PASSPHRASE)
    measure(
        "restore from the backup (verified, put in place)",
        lambda: restore.buttons.button(QDialogButtonBox.StandardButton.Ok).click(),
        lambda: restore.result() == restore.DialogCode.Accepted and not shell.runner.ops,
    )
    shell.close()
    app.processEvents()
    return out


if __name__ == "__main__":
    import os
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with tempfile.TemporaryDirectory() as d:
        os.environ["XINDANG_HOME"] = str(Path(d) / "home")
        for f in run(Path(d)):
            print(f)
