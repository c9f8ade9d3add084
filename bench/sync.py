"""Issue 7 figures: push 20,000 outbox items and pull a 5,000-student roster, on loopback against
the reference server on a private PostgreSQL."""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from pathlib import Path

from bench.foundation import figure


def _city():
    from cloud.database import Store, create_schema, make_engine
    from cloud.orgs import add_org
    from cloud.pgcluster import Cluster, free_port
    from cloud.serve import ServerThread

    folder = Path(tempfile.mkdtemp(prefix="xindang-pg-bench-"))
    cluster = Cluster(folder).start()
    engine = make_engine(cluster.url)
    create_schema(engine)
    store = Store(engine)
    with store.session() as s:
        add_org(s, "city", "C", "基准市")
        add_org(s, "district", "D", "基准区", "C")
        add_org(s, "school", "S", "基准学校", "D")
    server = ServerThread(store, free_port()).start()
    return folder, cluster, store, server


def _vault(tmp: Path, name: str, store, url: str):
    from app.services import sync, vaults
    from bench.foundation import PASSPHRASE
    from cloud.orgs import issue_code

    vault, _code = vaults.create_vault(
        tmp / name,
        school_name="基准学校",
        admin_login="admin",
        admin_name="admin",
        passphrase=PASSPHRASE,
    )
    with store.session() as s:
        code = issue_code(s, "S")
    sync.enroll(vault, url, code, allow_plain_http=True)
    return vault


def _server_process(database_url: str):
    """The reference server in a process of its own, as a city's server is: in this process its
    request handling would compete with the window for the GIL, which no school sees."""
    import socket
    import subprocess
    import sys

    from cloud.pgcluster import free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cloud", "--db", database_url, "serve", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("the sync server did not start") from None
            time.sleep(0.1)


def _window_stall(tmp: Path, store, database_url: str, rows: list[dict]) -> float:
    """The window's longest stall (ms) while 同步 → 立即同步 pulls and applies a roster in which
    every one of 5,000 students changed class (the first sync, at unlock, took the roster)."""
    proc, url = _server_process(database_url)
    try:
        return _measure_window(tmp, store, url, rows)
    finally:
        proc.terminate()
        proc.wait(10)


def _measure_window(tmp: Path, store, url: str, rows: list[dict]) -> float:
    from PySide6.QtWidgets import QApplication, QPushButton

    from app.ui.application import Shell
    from app.ui.ops import Ops
    from bench.stalls import Watchdog, _wait
    from cloud.streams import publish_roster

    app = QApplication.instance() or QApplication([])
    vault = _vault(tmp, "sync-window", store, url)
    shell = Shell(vault.root, runner=Ops())
    shell.show()
    shell.enter(vault)
    ws = shell.workspace
    ws.show_section("sync")
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    _wait(app, lambda: not ws.sync_agent.running)
    moved = [r | {"class_number": r["class_number"] % 8 + 1} for r in rows]
    with store.session() as s:
        publish_roster(s, "S", moved)
    done: list[bool] = []
    ws.sync_agent.finished.connect(lambda _r: done.append(True))
    ws.sync_agent.failed.connect(lambda _m: done.append(False))
    dog = Watchdog()
    dog.start()
    ws.sync.findChild(QPushButton, "sync_now_button").click()
    _wait(app, lambda: bool(done))
    worst = dog.stop()
    shell.runner.quiesce(cancel=False)
    shell.lock()
    shell.close()
    app.processEvents()
    assert done == [True], "the sync failed"
    return worst


def run(tmp: Path) -> list[dict]:
    from app.services import synthetic
    from app.sync.outbox import enqueue
    from app.sync.runner import sync_once
    from cloud.streams import publish_roster

    folder, cluster, store, server = _city()
    try:
        students = synthetic.generate_students(5000, seed=12)
        rows = [
            {
                "student_no": st.student_no,
                "name": st.name,
                "gender": st.gender,
                "birth_date": st.birth_date.isoformat(),
                "grade_level": st.grade,
                "class_number": st.class_no,
                "status": "enrolled",
            }
            for st in students
        ]
        with store.session() as s:
            publish_roster(s, "S", rows)  # a device submits only for its school's students
        pusher = _vault(tmp, "sync-push", store, server.url)
        rng = random.Random(7)
        with pusher.session() as s:
            for i in range(20_000):
                enqueue(
                    s,
                    "assessment_result",
                    f"r-{i}",
                    {
                        "student_no": rng.choice(students).student_no,
                        "grade_level": 7 + i % 6,
                        "class_number": 1 + i % 8,
                        "scale_id": "SCL-90",
                        "scale_version": "1.0.0",
                        "administered_at": "2026-11-20T09:00:00",
                        "total": rng.randrange(90, 300),
                        "band_id": "normal",
                        "band_label": "未见异常",
                        "valid": True,
                        "flags": [],
                        "subscales": {f"F{k}": round(rng.random() * 4, 2) for k in range(10)},
                        "critical_item_count": 0,
                        "status": "final",
                    },
                )
        t = time.perf_counter()
        report = sync_once(pusher, streams=())
        push_s = time.perf_counter() - t
        assert report.pushed >= 20_000 and report.digests_ok
        pusher.lock()

        puller = _vault(tmp, "sync-pull", store, server.url)
        t = time.perf_counter()
        report = sync_once(puller, streams=("roster",))
        pull_s = time.perf_counter() - t
        assert report.pull.applied["roster"] == 5000 and report.digests_ok
        puller.lock()
        stall_ms = _window_stall(tmp, store, cluster.url, rows)
    finally:
        server.stop()
        store.engine.dispose()
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return [
        figure("sync: push 20,000 outbox items (loopback, PostgreSQL)", push_s, "s", 30),
        figure("sync: pull a 5,000-student roster", pull_s, "s", 10),
        figure("window stall while: sync applying 5,000 class changes", stall_ms, "ms", 50.0),
    ]


if __name__ == "__main__":
    import os

    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with tempfile.TemporaryDirectory() as d:
        os.environ["XINDANG_HOME"] = str(Path(d) / "home")
        for f in run(Path(d)):
            print(f)
