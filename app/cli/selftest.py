"""`xindang --self-test`: proves a build works on this computer before IT hands it out.

Creates and opens a vault in a temporary folder, rotates its key, scores a scale, renders a one-page PDF with
Chinese text and a chart, loads the zh_CN catalogue, reports the keyring backend. Exit 0 only if
every step passed; each step prints one line.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path


def _step(name: str, fn) -> bool:
    t = time.perf_counter()
    try:
        detail = fn()
    except Exception as exc:  # a self-test reports every failure and goes on
        print(f"FAIL  {name}: {type(exc).__name__}: {exc}")
        return False
    print(
        f"ok    {name} ({(time.perf_counter() - t) * 1000:.0f} ms){': ' + detail if detail else ''}"
    )
    return True


def run() -> int:
    from app import __version__

    print(f"XinDang {__version__} self-test · Python {sys.version.split()[0]} · {sys.platform}")
    with tempfile.TemporaryDirectory(prefix="xindang-selftest-") as tmp:
        os.environ["XINDANG_HOME"] = str(Path(tmp) / "home")
        state: dict = {}

        def vault():
            from app.services import vaults

            v, _code = vaults.create_vault(
                Path(tmp) / "vault",
                school_name="自检学校",
                admin_login="admin",
                admin_name="自检",
                passphrase="self-test-口令-2026",
            )
            v.lock()
            state["vault"] = vaults.unlock(Path(tmp) / "vault", "self-test-口令-2026", "admin")
            return "created, locked, unlocked (SQLCipher, Argon2id)"

        def rotate():
            from app.services import keys

            keys.rotate_data_key(state["vault"])  # re-encrypts in a child of this program
            return "re-encrypted under a new key"

        def score():
            from app.scales.library import shipped_scale
            from app.scales.scoring import score as score_sheet

            result = score_sheet(shipped_scale("PHQ-9"), [1, 1, 1, 1, 1, 1, 1, 1, 0])
            assert result.total == 8, result.total
            return f"PHQ-9 total {result.total:g}"

        def pdf():
            from reportlab.platypus import Image, Paragraph

            from app.reports.charts import trend_chart
            from app.reports.pdf import Marking, render, styles

            st = styles()
            chart = trend_chart(
                "自检趋势", [(dt.datetime(2026, m, 1), float(m)) for m in range(1, 6)]
            )
            import io

            story = [
                Paragraph("心档自检：中文与图表", st["title"]),
                Image(io.BytesIO(chart), width=400, height=170),
            ]
            data = render(story, Marking("SELFTEST", "自检", "2026-01-01 00:00", "自检"))
            assert data.startswith(b"%PDF") and len(data) > 10_000
            return f"{len(data) // 1024} KB"

        def scan():
            import random

            from app.reports.scan_sheets import SheetFor, build_scan_sheets
            from app.scales.library import shipped_scale
            from app.scan import read, synthetic
            from app.scan.layout import Payload, layout

            defn = shipped_scale("GAD-7")
            sheet = layout([tuple(defn.allowed_values(i)) for i in range(1, 8)])
            pdf = build_scan_sheets(
                "自检", "选项", sheet, [SheetFor("自检", "", "SELFTEST")],
                Payload("", defn.id, defn.version, "", 1, 1), "SELFTEST",
            )  # fmt: skip
            page = synthetic.render_pages(pdf, 200)[0]
            truth = synthetic.mark_page(page, 200, sheet, 1, random.Random(1),
                                        {i: "full" for i in range(1, 8)})  # fmt: skip
            got = read.read_page(page, lambda _p: sheet)
            assert [i.value for i in got.items] == [t.value for t in truth]
            return "printed, marked and read back (OpenCV, QR)"

        def catalogue():
            from app.i18n import _, set_language

            set_language("zh_CN")
            assert _("Unlock") == "解锁", _("Unlock")
            return "zh_CN"

        def keyring():
            from app.vault.keystore import backend_name, keyring_status

            usable, reason = keyring_status()
            return f"{backend_name()} ({'usable' if usable else 'not used: ' + reason})"

        steps = [
            ("vault", vault),
            ("key rotation", rotate),
            ("scoring", score),
            ("pdf with Chinese and a chart", pdf),
            ("scanned sheet", scan),
            ("translations", catalogue),
            ("keyring", keyring),
        ]
        ok = all([_step(name, fn) for name, fn in steps])
        if "vault" in state:
            state["vault"].lock()
    print("self-test passed" if ok else "self-test FAILED")
    return 0 if ok else 1
