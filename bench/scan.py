"""Issue 20: reading scanned sheets. ≥ 2,000 synthetic pages of the real printed sheets, marked
as people mark (app/scan/synthetic.py) and degraded as scanners and phones degrade; the reader
is timed on one core and its outcomes tabulated against what was meant.

    python -m bench.scan [pages]      (default 2,000; XINDANG_SCAN_PAGES also sets it)
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

from bench.foundation import figure

SCALES = ("PHQ-9", "GAD-7", "SCL-90", "MHT", "CES-D")
DPIS = (150, 200, 300)
BATCH = 20  # students per printed batch


def run(pages: int | None = None) -> list[dict]:
    import cv2

    from app.reports.scan_sheets import SheetFor, build_scan_sheets
    from app.scales.library import shipped_scale
    from app.scan import read, synthetic
    from app.scan.layout import Payload, layout

    cv2.setNumThreads(1)  # "on one core"
    pages = pages or int(os.environ.get("XINDANG_SCAN_PAGES", "2000"))
    rng = random.Random(2026)
    table: Counter = Counter()
    by_kind: Counter = Counter()
    unreadable: Counter = Counter()
    read_seconds, done, k = 0.0, 0, 0
    while done + sum(unreadable.values()) < pages:
        scale = SCALES[k % len(SCALES)]
        dpi = DPIS[k % len(DPIS)]
        k += 1
        defn = shipped_scale(scale)
        sheet = layout([tuple(defn.allowed_values(i)) for i in range(1, defn.item_count + 1)])
        people = [SheetFor("学生", "七年级1班", f"T{k:04d}{n:03d}") for n in range(BATCH)]
        pdf = build_scan_sheets(
            "心理健康问卷", "选项", sheet, people,
            Payload("", defn.id, defn.version, "", 1, sheet.pages), "XD-BENCH",
        )  # fmt: skip
        for n, img in enumerate(synthetic.render_pages(pdf, dpi)):
            if done + sum(unreadable.values()) >= pages:
                break
            page_no = n % sheet.pages + 1
            truth = synthetic.mark_page(img, dpi, sheet, page_no, rng)
            kind = synthetic.DEGRADATIONS[rng.randrange(len(synthetic.DEGRADATIONS))]
            scan = synthetic.degrade(img, kind, rng)
            t = time.perf_counter()
            try:
                result = read.read_page(scan, lambda _p, s=sheet: s)
            except read.Unreadable as exc:
                unreadable[(kind, exc.reason)] += 1
                continue
            finally:
                read_seconds += time.perf_counter() - t
            done += 1
            got = {it.item: it for it in result.items}
            for tr in truth:
                it = got[tr.item]
                if it.state == read.ONE:
                    outcome = "accepted, right" if it.value == tr.value else "ACCEPTED, WRONG"
                else:
                    outcome = f"review: {it.state}"
                table[(tr.style, outcome)] += 1
                by_kind[(kind, outcome.startswith("accepted"))] += 1
    clean = sum(v for (s, _o), v in table.items() if s in synthetic.CLEAN)
    clean_read = sum(
        v for (s, o), v in table.items() if s in synthetic.CLEAN and o == "accepted, right"
    )
    wrong = sum(v for (_s, o), v in table.items() if o == "ACCEPTED, WRONG")
    multi = sum(v for (s, _o), v in table.items() if s == "two")
    multi_review = sum(v for (s, o), v in table.items() if s == "two" and o.startswith("review"))
    total = done + sum(unreadable.values())
    _write(table, unreadable, total)
    return [
        figure("scan: pages read (synthetic, degraded)", total, "pages"),
        figure("scan: pages unreadable", sum(unreadable.values()), "pages"),
        figure("scan: wrong answers accepted without review", wrong, "items", 0),
        figure(
            "scan: clean items read without review", 100 * clean_read / max(1, clean), "%", 99,
            lower_is_better=False,
        ),
        figure(
            "scan: two marks sent to review", 100 * multi_review / max(1, multi), "%", 100,
            lower_is_better=False,
        ),
        figure("scan: pages read per second, one core", total / read_seconds, "pages/s", 2,
               lower_is_better=False),
    ]  # fmt: skip


def _write(table: Counter, unreadable: Counter, pages: int) -> None:
    from app.scan.synthetic import STYLES

    outcomes = sorted({o for _s, o in table})
    lines = [f"{'mark':10}" + "".join(f"{o:>22}" for o in outcomes)]
    for style in STYLES:
        lines.append(f"{style:10}" + "".join(f"{table[(style, o)]:>22}" for o in outcomes))
    text = "\n".join(lines)
    print(f"\nconfusion on {pages} pages (rows: how the item was marked; columns: outcome)")
    print(text)
    for (kind, reason), n in sorted(unreadable.items()):
        print(f"unreadable: {kind}: {reason} × {n}")
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "scan-confusion.json").write_text(
        json.dumps(
            {
                "pages": pages,
                "table": {f"{s} → {o}": v for (s, o), v in sorted(table.items())},
                "unreadable": {f"{k} → {r}": v for (k, r), v in sorted(unreadable.items())},
            },
            ensure_ascii=False,
            indent=1,
        ),
        "utf-8",
    )


if __name__ == "__main__":
    figures = run(int(sys.argv[1]) if len(sys.argv) > 1 else None)
    for f in figures:
        mark = "" if f.get("target") is None else ("ok" if f["ok"] else "MISSED")
        print(f"{f['name']:48} {f['value']:>10} {f['unit']:<8} {f.get('target') or '':>6} {mark}")
