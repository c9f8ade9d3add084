"""Issue 17's scale curve: a school with three years of history, at 5,000 and 20,000 students.

History as a school accumulates it: about 6 results per student (PHQ-9 and GAD-7, once a year
for three years), 2 records per student (a home–school contact and an observation), and 2 % of
students in counseling with 30–60 sessions each. Built through the store's own functions in one
transaction per class (minutes, not hours), so the rules run and warnings are raised as they
would be. The figures are printed side by side with the growth ratio.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from pathlib import Path

from bench.foundation import PASSPHRASE, figure, p, school_vault

SESSIONS = (30, 60)


def build_history(vault, seed: int = 11) -> dict:
    """Returns {"results": n, "records": n, "counseled": [student ids]}."""
    from sqlalchemy import select

    from app.models import Record, SchoolClass, Student, new_id
    from app.services.assessments import store_result

    rng = random.Random(seed)
    with vault.session() as s:
        classes = [c for (c,) in s.execute(select(SchoolClass.id))]
    counts = {"results": 0, "records": 0, "counseled": []}
    today = dt.datetime(2026, 11, 20, 9)
    for class_id in classes:
        with vault.session() as s:
            kids = [k for (k,) in s.execute(select(Student.id).where(Student.class_id == class_id))]
            for kid in kids:
                for year in range(3):
                    when = today - dt.timedelta(days=365 * year + rng.randrange(30))
                    severity = rng.random() ** 3
                    for scale, n in (("PHQ-9", 9), ("GAD-7", 7)):
                        answers = [min(3, int(rng.random() * 4 * severity + 0.3)) for _ in range(n)]
                        store_result(
                            s,
                            kid,
                            scale,
                            answers,
                            mode="paper",
                            user_id=vault.user.id,
                            administered_at=when,
                        )
                        counts["results"] += 1
                s.add(
                    Record(
                        id=new_id(),
                        kind="contact",
                        student_id=kid,
                        occurred_at=today - dt.timedelta(days=rng.randrange(900)),
                        author_id=vault.user.id,
                        body={"guardian": "母亲", "mode": "phone", "content": "沟通在校情况"},
                    )
                )
                s.add(
                    Record(
                        id=new_id(),
                        kind="observation",
                        student_id=kid,
                        occurred_at=today - dt.timedelta(days=rng.randrange(900)),
                        author_id=vault.user.id,
                        body={"source_role": "head_teacher", "content": "上课注意力不集中"},
                    )
                )
                counts["records"] += 2
                if rng.random() < 0.02:
                    counts["counseled"].append(kid)
                    case = Record(
                        id=new_id(),
                        kind="case",
                        student_id=kid,
                        occurred_at=today - dt.timedelta(days=800),
                        author_id=vault.user.id,
                        body={"problems": ["emotions"]},
                    )
                    s.add(case)
                    for k in range(rng.randint(*SESSIONS)):
                        s.add(
                            Record(
                                id=new_id(),
                                kind="session",
                                student_id=kid,
                                parent_id=case.id,
                                occurred_at=today - dt.timedelta(days=800 - 12 * k),
                                author_id=vault.user.id,
                                body={
                                    "duration_min": 45,
                                    "mode": "in_person",
                                    "template": "soap",
                                    "risk_suicide": "none",
                                    "risk_self_harm": "none",
                                    "risk_others": "none",
                                    "sections": {"s": "说最近睡不好" * 8, "p": "下周再约"},
                                },
                            )
                        )
                        counts["records"] += 1
    return counts


def _median(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _child(module: str, root: Path) -> str:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", module, str(root), PASSPHRASE],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def _gui_unlock(root: Path) -> float:
    """Unlock → usable window in a fresh process, as a person starts it (bench/gui_unlock.py)."""
    return float(_child("bench.gui_unlock", root))


def _gui_memory(root: Path) -> dict:
    """The window's resident memory, measured in a process of its own (bench/gui_memory.py)."""
    import json

    return json.loads(_child("bench.gui_memory", root))


def measure(tmp: Path, students: int) -> dict:
    from PySide6.QtWidgets import QApplication

    from app.services import (
        backups,
        printing,
        records,
        vaults,
        warnings,
    )
    from app.services import students as st
    from app.ui.application import Shell
    from app.ui.ops import Ops

    app = QApplication.instance() or QApplication([])
    name = f"history{students}"
    vault = school_vault(tmp, name, students)
    t = time.perf_counter()
    built = build_history(vault)
    out = {"build_s": time.perf_counter() - t, "results": built["results"]}
    kid = built["counseled"][0]
    root = vault.root
    vault.lock()

    def unlock_filled() -> float:
        """From 解锁 to every page filled (inline lanes: each page reads as it is built)."""
        from bench.gui_unlock import timed_unlock

        shell = Shell(root, runner=Ops(inline=True))
        shell.show()
        app.processEvents()
        return timed_unlock(app, shell, PASSPHRASE)

    out["unlock_ready_s"] = statistics.median(_gui_unlock(root) for _ in range(3))
    out["unlock_filled_s"] = statistics.median(unlock_filled() for _ in range(3))
    memory = _gui_memory(root)
    vault = vaults.unlock(root, PASSPHRASE, "admin")
    now = dt.datetime(2026, 11, 20, 12)

    def home():
        warnings.overdue_tasks(vault)
        warnings.queue(vault)
        records.upcoming(vault, now.replace(hour=23, minute=59), now=now)
        warnings.counts_by_grade(vault)
        warnings.counts_by_class(vault)

    out["home_s"] = _median(home)
    rows = st.search_students(vault, limit=200)
    queries = [r.name[:1] for r in rows[:20]] + [r.student_no[-6:] for r in rows[:20]]
    lat = []
    for q in queries:
        t = time.perf_counter()
        st.search_students(vault, st.StudentFilter(query=q), limit=200)
        lat.append((time.perf_counter() - t) * 1000)
    out["search_p95_ms"] = p(lat, 0.95)

    def archive():
        st.student_archive(vault, kid)
        records.timeline(vault, kid)

    out["archive_s"] = _median(archive)
    out["case_file_s"] = _median(lambda: printing.case_file(vault, kid))
    out["rules_s"] = _median(lambda: warnings.evaluate_all(vault))
    t = time.perf_counter()
    printing.class_summary(vault, "PHQ-9")
    out["summary_cold_s"] = time.perf_counter() - t
    out["summary_s"] = _median(lambda: printing.class_summary(vault, "PHQ-9"))
    out["backup_s"] = _median(lambda: backups.backup(vault, tmp / f"usb{students}"), runs=1)
    for r in rows[:20]:
        st.student_archive(vault, r.id)
        records.timeline(vault, r.id)
    out["memory_after_unlock_mib"] = memory["after_unlock"]
    out["memory_after_20_archives_mib"] = memory["after_20_archives"]
    vault.lock()
    return out


NAMES = {
    "unlock_ready_s": ("unlock → usable window", "s", 2.0),
    "unlock_filled_s": ("unlock → every page filled", "s", None),
    "home_s": ("home page data", "s", 0.5),
    "search_p95_ms": ("search per keystroke p95", "ms", 50.0),
    "archive_s": ("archive open (student, timeline)", "s", 0.5),
    "case_file_s": ("case file of a counseled student", "s", 0.5),
    "rules_s": ("rule evaluation, all students", "s", 3.0),
    "summary_cold_s": ("screening summary PDF, first (loads the chart library)", "s", None),
    "summary_s": ("screening summary PDF", "s", 1.0),
    "backup_s": ("backup", "s", None),
    "memory_after_unlock_mib": ("GUI memory after unlock, every page shown", "MiB", 300.0),
    "memory_after_20_archives_mib": ("GUI memory after 20 archives opened", "MiB", 300.0),
}


def run(tmp: Path, sizes: tuple[int, int] = (5000, 20000)) -> list[dict]:
    small, large = (measure(tmp, n) for n in sizes)
    out = []
    for key, (label, unit, target) in NAMES.items():
        out.append(figure(f"with history, {sizes[0]:,}: {label}", small[key], unit))
        out.append(figure(f"with history, {sizes[1]:,}: {label}", large[key], unit, target))
        if small[key]:
            out.append(figure(f"with history: {label}, growth ×", large[key] / small[key], "x"))
    out.append(figure(f"history build, {sizes[1]:,} students", large["build_s"], "s"))
    return out


if __name__ == "__main__":
    import os
    import sys
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    sizes = tuple(int(x) for x in sys.argv[1:3]) or (5000, 20000)
    with tempfile.TemporaryDirectory() as d:
        os.environ["XINDANG_HOME"] = str(Path(d) / "home")
        for f in run(Path(d), sizes):
            print(f"{f['name']:60} {f['value']:>10} {f['unit']}")
