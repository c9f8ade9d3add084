"""Bundle size and start-up time to the unlock screen, from the frozen bundle (dist/xindang).

The first run after a build reads every file from disk (as close to a cold start as a shared
machine allows); the median of the following runs is the warm figure.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "xindang"


def size_mb(folder: Path) -> float:
    return (
        sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
        / 1e6
    )


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="xindang-start-") as tmp:
        env = dict(os.environ, XINDANG_HOME=str(Path(tmp) / "home"), XINDANG_QUIT_WHEN_READY="1")
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        vault = Path(tmp) / "vault"
        subprocess.run(
            [str(BUNDLE / "xindang-cli"), "demo", "--vault", str(vault)],
            env=env,
            check=True,
            capture_output=True,
        )
        times = []
        for _ in range(6):
            t = time.perf_counter()
            subprocess.run(
                [str(BUNDLE / "xindang"), "gui", "--vault", str(vault)],
                env=env,
                check=True,
                capture_output=True,
                timeout=120,
            )
            times.append(time.perf_counter() - t)
    doc = {
        "bundle_mb": round(size_mb(BUNDLE), 1),
        "first_start_s": round(times[0], 2),
        "warm_start_median_s": round(statistics.median(times[1:]), 2),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "bundle.json").write_text(json.dumps(doc, indent=1), "utf-8")
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
