"""Kill the client (os._exit, no cleanup) at each step of a sync; the next sync recovers fully."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from app.models import OutboxItem
from app.services import synthetic
from app.sync.faults import POINTS
from app.sync.outbox import enqueue
from app.sync.runner import local_stream_digest, local_submission_digest
from cloud.streams import stream_digest
from cloud.submissions import device_digest
from tests.conftest import PASSPHRASE
from tests.sync.helpers import server_submissions

ITEMS = 1200  # more than two push batches, so a crash can fall between them


def _sync_cli(vault, crash_at: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ, XINDANG_PASSPHRASE=PASSPHRASE)
    env.pop("XINDANG_CRASH_AT", None)
    if crash_at:
        env["XINDANG_CRASH_AT"] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "app", "sync", "now", "--vault", str(vault.root), "--user", "admin"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_a_sync_killed_at_each_step_resumes_without_loss_or_duplicates(enrolled, city, point):
    kids = synthetic.generate_students(1200, seed=8)
    city.roster("S-A", kids)
    with enrolled.session() as s:
        for k in range(ITEMS):
            enqueue(
                s,
                "assessment_result",
                f"r-{k}",
                {
                    "student_no": kids[k % len(kids)].student_no,
                    "scale_id": "GAD-7",
                    "total": k % 21,
                },
            )
    enrolled.lock()

    crashed = _sync_cli(enrolled, point)
    assert crashed.returncode == 86, crashed.stderr
    recovered = _sync_cli(enrolled, None)
    assert recovered.returncode == 0, recovered.stderr

    from app.services import vaults

    vault = vaults.unlock(enrolled.root, PASSPHRASE, "admin")
    try:
        with vault.session() as s:
            statuses = {i.status for i in s.scalars(select(OutboxItem))}
        assert statuses == {"acked"}
        subs = server_submissions(city)
        results = [x for x in subs if x.entity == "assessment_result"]
        assert len(results) == ITEMS == len({x.entity_id for x in results})
        with city.store.session() as s:
            assert device_digest(s, subs[0].device_id) == local_submission_digest(vault)
            server = stream_digest(s, "roster", subs[0].school_id)
        assert server["count"] == 1200
        assert {k: server[k] for k in ("count", "sha256")} == local_stream_digest(vault, "roster")
    finally:
        vault.lock()
