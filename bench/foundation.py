"""Issue 2 figures on a 5,000-student vault: search, unlock, import, and SQLCipher vs SQLite."""

from __future__ import annotations

import sqlite3
import statistics
import time
from pathlib import Path

from app.db import audit, migrate, open_database
from app.models import School, User, new_id
from app.roster.names import pinyin_keys
from app.services import roster_import, students, synthetic, vaults
from app.services.vaults import OpenVault, UserInfo

STUDENTS = 5000
PASSPHRASE = "bench-passphrase-2026"


def figure(
    name: str, value: float, unit: str, target: float | None = None, lower_is_better=True
) -> dict:
    ok = None if target is None else (value <= target if lower_is_better else value >= target)
    return {"name": name, "value": round(value, 3), "unit": unit, "target": target, "ok": ok}


def school_vault(
    tmp: Path,
    name: str,
    students: int,
    *,
    grades: tuple[int, ...] = (7, 8, 9, 10, 11, 12),
    admin_name: str = "admin",
) -> OpenVault:
    """A fresh vault with a synthetic school imported through the real roster import."""
    vault, _code = vaults.create_vault(
        tmp / name,
        school_name="基准学校",
        admin_login="admin",
        admin_name=admin_name,
        passphrase=PASSPHRASE,
    )
    roster = synthetic.generate_students(students, grades=grades)
    roster_import.import_roster(vault, synthetic.write_roster_csv(tmp / f"{name}.csv", roster))
    return vault


def _plain_vault(root: Path, module) -> OpenVault:
    """The same schema and services over plain SQLite, only to measure what encryption costs."""
    root.mkdir(parents=True)
    db = open_database(root / "plain.db", None, create=True, module=module)
    migrate.upgrade(db)
    key = b"k" * 32
    uid = new_id()
    with db.session(uid, key) as s:
        s.add(School(name="基准学校"))
        s.add(User(id=uid, login="admin", display_name="admin", role="admin"))
    return OpenVault(
        root, "plain", UserInfo(uid, "admin", "admin", "admin"), db, bytearray(32), key
    )


def _keystrokes(roster) -> list[str]:
    """What a teacher types, one prefix per keystroke: initials, full pinyin, hanzi, 学籍号 digits."""
    queries = []
    for st in roster[::250]:
        full, initials = pinyin_keys(st.name)
        for word in (initials, full[:6], st.name, st.student_no[-6:]):
            queries += [word[: i + 1] for i in range(len(word))]
    return queries


def _search_latencies(vault: OpenVault, queries: list[str]) -> list[float]:
    from PySide6.QtWidgets import QApplication

    from app.ui.students_page import StudentsPage

    app = QApplication.instance() or QApplication([])
    page = StudentsPage(vault)
    shown: list[int] = []  # the list is read in the database lane: timed until it is shown
    page.model.modelReset.connect(lambda: shown.append(1))
    page.show()
    while not shown:
        app.processEvents()
    times = []
    for q in queries:
        t = time.perf_counter()
        before = len(shown)
        page.search.blockSignals(True)
        page.search.setText(q)
        page.search.blockSignals(False)
        page.refresh()
        while len(shown) == before:
            app.processEvents()
        times.append(time.perf_counter() - t)
    page.clear()
    page.deleteLater()
    app.processEvents()
    return times


def _unlock_to_ready(root: Path, runs: int = 5) -> list[float]:
    from PySide6.QtWidgets import QApplication

    from app.ui.application import Shell
    from app.ui.ops import Ops

    app = QApplication.instance() or QApplication([])
    times = []
    for _ in range(runs):
        shell = Shell(root, runner=Ops(inline=True))
        shell.show()
        app.processEvents()
        shell.unlock_view.passphrase.setText(PASSPHRASE)
        t = time.perf_counter()
        shell.unlock_view.try_unlock()
        app.processEvents()
        assert shell.workspace is not None and shell.workspace.students.model.total == STUDENTS
        times.append(time.perf_counter() - t)
        shell.lock()
        shell.close()
        app.processEvents()
    return times


def _workload(vault: OpenVault, csv_path: Path, queries: list[str]) -> float:
    t = time.perf_counter()
    roster_import.import_roster(vault, csv_path)
    for q in queries:
        students.search_students(vault, students.StudentFilter(query=q), limit=500)
        students.count_students(vault, students.StudentFilter(query=q))
    for row in students.search_students(vault, limit=300):
        students.student_archive(vault, row.id)
    with vault.session() as s:
        audit.verify(s)
    return time.perf_counter() - t


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(tmp: Path) -> list[dict]:
    roster = synthetic.generate_students(STUDENTS, seed=2026, grades=(7, 8, 9, 10, 11, 12))
    xlsx = synthetic.write_roster_xlsx(tmp / "roster.xlsx", roster, title="2026学年学生名册")
    csv_path = synthetic.write_roster_csv(tmp / "roster.csv", roster)
    out = []

    # Three imports into fresh vaults; the first of a process pays one-off costs (imports, the
    # pinyin dictionary), so the median is reported alongside the slowest.
    times = []
    for r in range(3):
        v, _code = vaults.create_vault(
            tmp / ("vault" if r == 0 else f"vault-extra{r}"),
            school_name="基准学校",
            admin_login="admin",
            admin_name="admin",
            passphrase=PASSPHRASE,
        )
        t = time.perf_counter()
        report = roster_import.import_roster(v, xlsx)
        times.append(time.perf_counter() - t)
        assert report.created == STUDENTS
        if r == 0:
            vault = v
        else:
            v.lock()
    out.append(figure("import 5,000-row xlsx (median of 3)", statistics.median(times), "s", 5.0))
    out.append(figure("import 5,000-row xlsx (slowest of 3)", max(times), "s"))

    queries = _keystrokes(roster)
    lat = [x * 1000 for x in _search_latencies(vault, queries)]
    out.append(
        figure(f"search per keystroke p50 ({len(lat)} keys, UI)", statistics.median(lat), "ms")
    )
    out.append(figure("search per keystroke p95 (UI)", p(lat, 0.95), "ms", 30.0))
    vault.lock()

    ready = _unlock_to_ready(tmp / "vault")
    out.append(
        figure(
            "unlock to main window ready (median, KDF incl.)", statistics.median(ready), "s", 1.5
        )
    )
    out.append(figure("unlock to main window ready (max of 5)", max(ready), "s"))

    # Three rounds, interleaved, on fresh vaults; medians are reported.
    #  - "unkeyed": the same SQLite build (SQLCipher's) with no key: the cost of encryption alone;
    #  - "system": Python's own sqlite3 (another SQLite version and compiler): the whole stack.
    import sqlcipher3

    timings: dict[str, list[float]] = {"enc": [], "unkeyed": [], "system": []}
    for r in range(3):
        enc = vaults.create_vault(
            tmp / f"enc{r}",
            school_name="基准学校",
            admin_login="admin",
            admin_name="admin",
            passphrase=PASSPHRASE,
        )[0]
        timings["enc"].append(_workload(enc, csv_path, queries))
        enc.lock()
        for kind, module in (("unkeyed", sqlcipher3), ("system", sqlite3)):
            plain = _plain_vault(tmp / f"{kind}{r}", module)
            timings[kind].append(_workload(plain, csv_path, queries))
            plain.db.dispose()
    med = {k: statistics.median(v) for k, v in timings.items()}
    out.append(figure("service workload, SQLCipher (median of 3)", med["enc"], "s"))
    out.append(figure("service workload, same engine unkeyed", med["unkeyed"], "s"))
    out.append(figure("service workload, system sqlite3", med["system"], "s"))
    out.append(
        figure("SQLCipher / SQLite ratio (same engine)", med["enc"] / med["unkeyed"], "x", 1.3)
    )
    out.append(figure("SQLCipher / system sqlite3 ratio", med["enc"] / med["system"], "x"))
    return out
