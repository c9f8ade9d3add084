"""`make cloud-dev`: a private PostgreSQL cluster, a demo city with one school, TLS on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from cloud.database import Store, create_schema, make_engine
from cloud.orgs import add_org, issue_code
from cloud.streams import publish
from cloud.tls import fingerprint, make_self_signed

DEMO_SCHOOL = "DEMO-SCHOOL"


def _seed(store: Store, resources: Path) -> str:
    from cloud.models import Org

    with store.session() as s:
        if s.query(Org).count() == 0:
            add_org(s, "city", "DEMO-CITY", "示例市")
            add_org(s, "district", "DEMO-DISTRICT", "示例区", "DEMO-CITY")
            add_org(s, "school", DEMO_SCHOOL, "示例中学", "DEMO-DISTRICT")
            rules = resources / "risk" / "default_rules.json"
            if rules.exists():
                publish(
                    s, "rules", "city", {"rules": json.loads(rules.read_text(encoding="utf-8"))}
                )
        return issue_code(s, DEMO_SCHOOL)


def run_dev(folder: Path, port: int, *, sqlite: bool = False) -> int:
    import uvicorn

    from cloud.api import create_app

    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    cluster = None
    if sqlite:
        url = f"sqlite:///{folder / 'cloud-demo.db'}"
    else:
        from cloud.pgcluster import Cluster

        cluster = Cluster(folder / "pg", port=port + 1).start()
        url = cluster.url
    engine = make_engine(url)
    create_schema(engine)
    store = Store(engine)
    certfile = folder / "tls" / "server.crt"
    if not certfile.exists():
        make_self_signed(folder / "tls")
    code = _seed(store, Path(__file__).resolve().parent.parent / "resources")
    print(
        f"XinDang city server (demo) on https://127.0.0.1:{port}\n"
        f"  database:            {url}\n"
        f"  enrollment code:     {code}   (one use, 72 h; `python -m cloud --db {url} issue-code {DEMO_SCHOOL}` for more)\n"
        f"  certificate SHA-256: {fingerprint(certfile)}\n"
        f"In XinDang: 同步 → 加入市平台, server https://127.0.0.1:{port}, the code and the fingerprint above.",
        flush=True,
    )
    # A closed terminal (SIGHUP) must stop the cluster too, as Ctrl+C and SIGTERM do: uvicorn
    # turns those into a clean return, after which `finally` stops PostgreSQL.
    signal.signal(signal.SIGHUP, lambda *_: os.kill(os.getpid(), signal.SIGTERM))
    try:
        uvicorn.run(
            create_app(store),
            host="127.0.0.1",
            port=port,
            log_level="info",
            ssl_certfile=str(certfile),
            ssl_keyfile=str(folder / "tls" / "server.key"),
        )
    finally:
        if cluster:
            cluster.stop()
    return 0
