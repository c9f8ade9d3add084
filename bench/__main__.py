"""Run every benchmark and write bench/results/latest.json (and a dated copy)."""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> int:
    from bench import (
        clinical,
        foundation,
        history,
        records,
        reports,
        scales,
        scan,
        stalls,
        sync,
        warnings,
    )

    with tempfile.TemporaryDirectory(prefix="xindang-bench-") as tmp:
        os.environ["XINDANG_HOME"] = str(Path(tmp) / "home")
        os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
        started = time.perf_counter()
        figures = scales.run() + scales.kiosk_latency(Path(tmp)) + records.run(Path(tmp))
        figures += warnings.run(Path(tmp)) + reports.run(Path(tmp)) + foundation.run(Path(tmp))
        figures += sync.run(Path(tmp)) + clinical.run(Path(tmp)) + stalls.run(Path(tmp))
        # The scale curve: 5,000 and 20,000 students with three years of history (bench/history.py).
        figures += history.run(Path(tmp))
        figures += scan.run()  # 2,000 synthetic scanned pages (XINDANG_SCAN_PAGES)
    doc = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "seconds": round(time.perf_counter() - started, 1),
        "figures": figures,
    }
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    (RESULTS / "latest.json").write_text(text, "utf-8")
    (RESULTS / f"bench-{doc['when'][:19].replace(':', '')}.json").write_text(text, "utf-8")
    print()
    print(f"{'figure':48} {'value':>12}  target")
    for f in figures:
        mark = "" if f.get("target") is None else ("ok" if f["ok"] else "MISSED")
        print(f"{f['name']:48} {f['value']:>12} {f['unit']:<6} {f.get('target') or '':>10} {mark}")
    print(f"\nwritten to {RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
