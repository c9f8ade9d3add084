"""`make bench-city`: the reference server at city scale, side by side with one school.

600,000 students in 800 schools (750 each) on a private PostgreSQL; the server runs as
`python -m cloud serve --workers 2` in its own processes. Measured:

- publishing the whole city's roster (800 schools, bulk);
- an up-to-date poll of the roster stream (p95), and an empty session's server time (health,
  audit head, five stream polls, five stream digests, the submission digest);
- a screening burst: 2,000 devices each send one batch of 40 results, 50 at a time (batch p95,
  client timeouts);
- the city overview over ~500,000 submissions (time, and the server process's memory).

`--partitioned` makes `submission` a table partitioned by hash of school (16 partitions) — the
first step of the province layout in docs/sync-protocol.md §9 — and runs the same figures.
Results go to bench/results/city-latest.json (and a dated copy).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
SCHOOLS = 800
PER_SCHOOL = 750
DEVICES = 2000
BATCH = 40


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def _rows(school: int, rng: random.Random) -> list[dict]:
    return [
        {
            "student_no": f"G4499{school:04d}{k:06d}",
            "name": f"学生{school}-{k}",
            "gender": "M" if k % 2 else "F",
            "birth_date": f"201{rng.randrange(0, 9)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}",
            "grade_level": 7 + k % 6,
            "class_number": 1 + (k // 6) % 15,
            "status": "enrolled",
        }
        for k in range(PER_SCHOOL)
    ]


class City:
    def __init__(self, folder: Path, schools: int, partitioned: bool) -> None:
        from cloud.database import Store, create_schema, make_engine
        from cloud.orgs import add_org
        from cloud.pgcluster import Cluster

        self.cluster = Cluster(folder / "pg").start()
        self.engine = make_engine(self.cluster.url)
        if partitioned:
            _partitioned_schema(self.engine)
        create_schema(self.engine)
        self.store = Store(self.engine)
        self.schools = [f"S{n:04d}" for n in range(schools)]
        with self.store.session() as s:
            add_org(s, "city", "C", "基准市")
            for d in range(max(1, schools // 40)):
                add_org(s, "district", f"D{d:02d}", f"区{d}", "C")
            for n, code in enumerate(self.schools):
                add_org(s, "school", code, f"学校{n}", f"D{(n // 40):02d}")
        self.proc = None
        self.url = ""

    def publish_all(self) -> float:
        from cloud.streams import publish_roster

        rng = random.Random(5)
        t = time.perf_counter()
        for n, code in enumerate(self.schools):
            with self.store.session() as s:
                publish_roster(s, code, _rows(n, rng))
        return time.perf_counter() - t

    def serve(self, workers: int = 2) -> None:
        from cloud.pgcluster import free_port

        port = free_port()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cloud",
                "--db",
                self.cluster.url,
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--enroll-per-minute",
                "1000000",  # 2,000 devices enrol from this one address
                "--device-per-minute",
                "1000000",  # the bench's few devices poll far more often than a school would
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{port}"
        import httpx

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/openapi.json", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def enroll(self, school: str, vault_id: str | None = None) -> dict:
        import httpx

        from cloud.orgs import issue_code

        with self.store.session() as s:
            code = issue_code(s, school)
        r = httpx.post(
            f"{self.url}/api/v1/enroll",
            json={"code": code, "device_name": "bench", "vault_id": vault_id or str(uuid.uuid4())},
            timeout=30,
        )
        r.raise_for_status()
        return r.json()

    def server_rss_mib(self) -> float:
        """The server's processes (master and workers) together."""
        total = 0
        for pid in _tree(self.proc.pid):
            try:
                with open(f"/proc/{pid}/status") as fh:
                    total += next(int(x.split()[1]) for x in fh if x.startswith("VmRSS"))
            except OSError:
                continue
        return total / 1024

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(20)
        self.engine.dispose()
        self.cluster.stop()


def _tree(pid: int) -> list[int]:
    out = [pid]
    for child in Path("/proc").iterdir():
        if child.name.isdigit():
            try:
                ppid = int((child / "stat").read_text().split(")")[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out.extend(_tree(int(child.name)))
    return out


def _partitioned_schema(engine) -> None:
    """`submission` partitioned by hash of school_id before create_all sees it (create_all
    leaves an existing table alone). Its primary key must hold the partition key."""
    from sqlalchemy import text

    from cloud.database import SCHEMA_VERSION

    with engine.begin() as conn:
        conn.execute(
            text(
                """
            CREATE TABLE submission (
                id VARCHAR(36) NOT NULL,
                server_seq BIGINT NOT NULL,
                device_id VARCHAR(36) NOT NULL,
                school_id VARCHAR(36) NOT NULL,
                entity VARCHAR(30) NOT NULL,
                entity_id VARCHAR(80) NOT NULL,
                student_key VARCHAR(32),
                payload JSON NOT NULL,
                sha256 VARCHAR(64) NOT NULL,
                deprecates VARCHAR(36),
                retired BOOLEAN NOT NULL,
                received_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
                note TEXT,
                scale_id VARCHAR(32),
                band_label VARCHAR(60),
                level VARCHAR(10),
                status VARCHAR(20),
                PRIMARY KEY (school_id, id)
            ) PARTITION BY HASH (school_id)"""
            )
        )
        for k in range(16):
            conn.execute(
                text(
                    f"CREATE TABLE submission_p{k} PARTITION OF submission "
                    f"FOR VALUES WITH (MODULUS 16, REMAINDER {k})"
                )
            )
        conn.execute(text("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)"))
        conn.execute(text(f"INSERT INTO schema_version VALUES ({SCHEMA_VERSION})"))
        for name, cols in (
            ("ix_submission_school_student", "school_id, student_key"),
            ("ix_submission_school_entity_id", "school_id, entity, entity_id"),
            ("ix_submission_device_id", "device_id"),
            (
                "ix_submission_tally",
                "entity, retired, school_id, scale_id, band_label, level, status",
            ),
        ):
            conn.execute(text(f"CREATE INDEX {name} ON submission ({cols})"))


def _get(client, url: str, **params):
    r = client.get(url, params=params or None)
    r.raise_for_status()
    return r.json()


def measure_reads(city: City, devices: list[tuple[str, dict]], rounds: int = 200) -> dict:
    """Up-to-date poll p95 and empty-session server time, from a pool of enrolled devices."""
    import httpx

    streams = ("roster", "scales", "plans", "rules", "transfers")
    clients = []
    for _school, doc in devices:
        c = httpx.Client(
            base_url=city.url, headers={"Authorization": f"Bearer {doc['token']}"}, timeout=30
        )
        cursor = None
        while True:
            page = (
                _get(c, "/api/v1/streams/roster", cursor=cursor, limit=2000)
                if cursor
                else _get(c, "/api/v1/streams/roster", limit=2000)
            )
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
        clients.append((c, cursor, doc))
    polls, sessions = [], []
    rng = random.Random(3)
    for _ in range(rounds):
        c, cursor, doc = rng.choice(clients)
        t = time.perf_counter()
        _get(c, "/api/v1/streams/roster", cursor=cursor)
        polls.append(time.perf_counter() - t)
    for _ in range(max(20, rounds // 10)):
        c, cursor, doc = rng.choice(clients)
        t = time.perf_counter()
        _get(c, "/api/v1/health")
        _get(c, "/api/v1/audit-head", vault=str(uuid.uuid4()))
        for stream in streams:
            if stream == "roster":
                _get(c, f"/api/v1/streams/{stream}", cursor=cursor)
            else:
                _get(c, f"/api/v1/streams/{stream}")
            _get(c, f"/api/v1/streams/{stream}/digest")
        _get(c, "/api/v1/submissions/digest")
        sessions.append(time.perf_counter() - t)
    for c, _cursor, _doc in clients:
        c.close()
    return {
        "poll_p95_ms": round(p95(polls) * 1000, 1),
        "poll_median_ms": round(statistics.median(polls) * 1000, 1),
        "empty_session_ms": round(statistics.median(sessions) * 1000, 1),
        "empty_session_p95_ms": round(p95(sessions) * 1000, 1),
    }


def burst(city: City, devices: int, concurrency: int = 50) -> dict:
    """Each device sends one batch of results for its school's students, 50 devices at once."""
    import httpx

    from cloud.canonical import payload_sha256
    from cloud.pseudonyms import student_key

    rng = random.Random(11)
    bodies = []  # built before the clock starts: the devices are other machines
    for d in range(devices):
        n = d % len(city.schools)
        doc = city.enroll(city.schools[n])
        items = []
        for k in range(BATCH):
            no = f"G4499{n:04d}{rng.randrange(PER_SCHOOL):06d}"
            payload = {
                "student": student_key(doc["student_key_secret"], no),
                "grade_level": 7 + k % 6,
                "class_number": 1 + k % 15,
                "scale_id": "PHQ-9",
                "administered_at": "2026-11-20",
                "total": rng.randrange(0, 28),
                "band_label": rng.choice(["无", "轻度", "中度", "重度"]),
                "valid": True,
                "status": "final",
            }
            items.append(
                {
                    "submission_id": str(uuid.uuid4()),
                    "entity": "assessment_result",
                    "entity_id": str(uuid.uuid4()),
                    "payload": payload,
                    "payload_sha256": payload_sha256(payload),
                    "created_at": "2026-11-20T09:00:00Z",
                }
            )
        body = json.dumps({"items": items}, ensure_ascii=False).encode()
        bodies.append((body, {"Authorization": f"Bearer {doc['token']}"}))
    times: list[float] = []
    timeouts = 0
    lock = threading.Lock()
    client = httpx.Client(
        timeout=20,
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
    )

    def one(entry) -> None:
        nonlocal timeouts
        body, auth = entry
        t = time.perf_counter()
        try:
            r = client.post(
                f"{city.url}/api/v1/submissions/batch",
                content=body,
                headers=auth | {"Content-Type": "application/json"},
            )
            r.raise_for_status()
            assert all(x["status"] == 201 for x in r.json()["results"]), r.text[:300]
        except httpx.TimeoutException:
            with lock:
                timeouts += 1
            return
        with lock:
            times.append(time.perf_counter() - t)

    t = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, bodies))
    wall = time.perf_counter() - t
    client.close()
    return {
        "batches": len(times),
        "timeouts": timeouts,
        "batch_p95_s": round(p95(times), 3),
        "batch_max_s": round(max(times), 3),
        "results_per_s": round(len(times) * BATCH / wall, 0),
    }


def bulk_submissions(city: City, total: int) -> None:
    """Submissions straight into the table (the overview's volume; the HTTP path is the burst)."""
    from sqlalchemy import insert, text

    from cloud.models import Device, Org, Submission

    rng = random.Random(13)
    with city.store.session() as s:
        schools = {o.code: o.id for o in s.query(Org).filter(Org.level == "school")}
        device = s.query(Device).first()
        start = s.execute(text("SELECT nextval('submission_server_seq')")).scalar()
    rows = []
    bands = ["无", "轻度", "中度", "中重度", "重度"]
    for k in range(total):
        code = city.schools[k % len(city.schools)]
        entity = "warning" if k % 10 == 0 else "assessment_result"
        payload = (
            {
                "student": f"{k:024x}",
                "level": rng.choice(["red", "orange", "yellow", "watch"]),
                "status": rng.choice(["raised", "confirmed", "resolved"]),
            }  # fmt: skip
            if entity == "warning"
            else {
                "student": f"{k:024x}",
                "scale_id": rng.choice(["PHQ-9", "GAD-7", "SCL-90"]),
                "band_label": rng.choice(bands),
                "status": "final",
            }  # fmt: skip
        )
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "server_seq": start + 1 + k,
                "device_id": device.id,
                "school_id": schools[code],
                "entity": entity,
                "entity_id": str(uuid.uuid4()),
                "student_key": payload["student"],
                "payload": payload,
                "sha256": "0" * 64,
                "deprecates": None,
                "retired": k % 7 == 0,
                "received_at": datetime.now(UTC).replace(tzinfo=None),
                "scale_id": payload.get("scale_id"),
                "band_label": payload.get("band_label"),
                "level": payload.get("level"),
                "status": payload.get("status"),
            }
        )
        if len(rows) == 20_000:
            with city.store.session() as s:
                s.execute(insert(Submission), rows)
            rows = []
    if rows:
        with city.store.session() as s:
            s.execute(insert(Submission), rows)
    with city.store.session() as s:
        s.execute(text(f"SELECT setval('submission_server_seq', {start + total + 1})"))
    with city.engine.connect() as conn:  # VACUUM cannot run in a transaction
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def measure_overview(city: City) -> dict:
    """In the server's own process: `python -m cloud overview`, its time and peak memory."""
    t = time.perf_counter()
    done = subprocess.run(
        [
            "/usr/bin/time",
            "-f",
            "%M",
            sys.executable,
            "-m",
            "cloud",
            "--db",
            city.cluster.url,
            "overview",
        ],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t
    peak_kib = int(done.stderr.strip().splitlines()[-1])
    # the interpreter and imports alone, for comparison
    base = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "cloud", "--help"],
        capture_output=True,
        text=True,
    )
    base_kib = int(base.stderr.strip().splitlines()[-1])
    from sqlalchemy import text

    from cloud.overview import overview

    with city.store.session() as s:
        t2 = time.perf_counter()
        overview(s)
        in_process = time.perf_counter() - t2
        plan = "\n".join(
            r[0]
            for r in s.execute(
                text(
                    "EXPLAIN ANALYZE SELECT school_id, scale_id, band_label, count(*) "
                    "FROM submission WHERE entity = 'assessment_result' AND retired = false "
                    "AND status = 'final' GROUP BY 1, 2, 3"
                )
            )
        )
    return {
        "overview_s": round(in_process, 3),
        "overview_command_s": round(wall, 2),
        "overview_peak_mib": round(peak_kib / 1024, 1),
        "python_baseline_mib": round(base_kib / 1024, 1),
        "plan": plan,
    }


def poll_plan(city: City) -> str:
    from sqlalchemy import text

    from cloud.models import Org

    with city.store.session() as s:
        school = s.query(Org).filter(Org.code == city.schools[len(city.schools) // 2]).one()
        top = s.execute(
            text("SELECT max(seq) FROM stream_item WHERE scope = :s"), {"s": school.id}
        ).scalar()
        return "\n".join(
            r[0]
            for r in s.execute(
                text(
                    "EXPLAIN ANALYZE SELECT seq, item_id, version, deleted, payload FROM "
                    "stream_item WHERE stream = 'roster' AND scope = :s AND seq > :a "
                    "ORDER BY seq LIMIT 501"
                ),
                {"s": school.id, "a": top},
            )
        )


def run(schools: int, partitioned: bool, submissions: int, devices: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="xindang-city-"))
    folder.chmod(0o755)  # the cluster runs as the postgres user
    city = City(folder, schools, partitioned)
    try:
        out: dict = {
            "schools": schools,
            "students": schools * PER_SCHOOL,
            "partitioned": partitioned,
        }
        out["publish_roster_s"] = round(city.publish_all(), 1)
        with city.engine.connect() as conn:  # as autovacuum would have by the first school day
            from sqlalchemy import text as sql

            conn.execution_options(isolation_level="AUTOCOMMIT").execute(sql("VACUUM ANALYZE"))
        with city.store.session() as s:
            from cloud.streams import publish_roster

            t = time.perf_counter()
            publish_roster(s, city.schools[0], _rows(0, random.Random(5)))
            out["republish_one_school_unchanged_s"] = round(time.perf_counter() - t, 3)
        city.serve()
        pool = [(code, city.enroll(code)) for code in city.schools[: min(20, schools)]]
        out |= measure_reads(city, pool)
        out["poll_plan"] = poll_plan(city)
        out |= burst(city, devices)
        rss_before = city.server_rss_mib()
        bulk_submissions(city, submissions)
        out["submissions"] = submissions + devices * BATCH
        out |= measure_overview(city)
        out["server_rss_mib_before_after"] = [round(rss_before, 1), round(city.server_rss_mib(), 1)]
        return out
    finally:
        city.close()
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--schools", type=int, default=SCHOOLS)
    p.add_argument("--submissions", type=int, default=500_000)
    p.add_argument("--devices", type=int, default=DEVICES)
    p.add_argument("--partitioned", action="store_true")
    p.add_argument("--compare", action="store_true", help="also one school, and partitioned")
    args = p.parse_args(argv)
    plans = [("city", args.schools, args.partitioned, args.submissions, args.devices)]
    if args.compare:
        plans.append(("one school", 1, False, 0, 20))
        if not args.partitioned:
            plans.append(("city, partitioned", args.schools, True, args.submissions, args.devices))
    runs: dict = {}
    when = datetime.now(UTC).isoformat(timespec="seconds")
    RESULTS.mkdir(exist_ok=True)
    for name, *params in plans:
        runs[name] = run(*params)
        doc = {"when": when, "cpus": os.cpu_count(), "runs": runs}
        text = json.dumps(doc, ensure_ascii=False, indent=1)  # written after each run
        (RESULTS / "city-latest.json").write_text(text, "utf-8")
        (RESULTS / f"city-{when[:19].replace(':', '')}.json").write_text(text, "utf-8")
    keys = [k for k in next(iter(runs.values())) if not k.endswith("plan")]
    print(f"{'figure':40}" + "".join(f"{name:>20}" for name in runs))
    for k in keys:
        print(f"{k:40}" + "".join(f"{str(r.get(k, '')):>20}" for r in runs.values()))
    print("\nroster poll plan (city):\n" + runs["city"]["poll_plan"])
    print("\noverview plan (city):\n" + runs["city"]["plan"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
