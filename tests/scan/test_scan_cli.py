"""`xindang sheets print` and `xindang results scan` as IT staff script them: real processes."""

import json
import random

import cv2

from app.scales.library import shipped_scale
from app.scan import synthetic
from app.scan.layout import layout
from app.services import synthetic as roster_data
from tests.cli.test_cli import xindang


def test_print_then_scan_then_accept(tmp_path):
    vault = tmp_path / "vault"
    assert (
        xindang(
            "init", "--vault", str(vault), "--school", "测试中学", "--admin", "admin"
        ).returncode
        == 0
    )
    roster = roster_data.write_roster_csv(
        tmp_path / "roster.csv", roster_data.generate_students(20, seed=9)
    )
    assert xindang("import-roster", str(roster), "--vault", str(vault)).returncode == 0
    pdf, lay_json = tmp_path / "sheets.pdf", tmp_path / "layout.json"
    out = xindang(
        "sheets",
        "print",
        "--class",
        "七年级1班",
        "--scale",
        "GAD-7",
        "--out",
        str(pdf),
        "--layout-json",
        str(lay_json),
        "--vault",
        str(vault),
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(lay_json.read_text("utf-8"))
    assert len(doc["bubbles"]) == 7 * 4 and doc["pages"] == 1
    defn = shipped_scale("GAD-7")
    lay = layout([tuple(defn.allowed_values(i)) for i in range(1, 8)])
    assert [b["x"] for b in doc["bubbles"]] == [b.x for b in lay.bubbles]
    rng = random.Random(4)
    pages = synthetic.render_pages(pdf.read_bytes(), 200)
    scans = tmp_path / "scans"
    scans.mkdir()
    for n, img in enumerate(pages[:3]):
        synthetic.mark_page(img, 200, lay, 1, rng, {i: "full" for i in range(1, 8)})
        cv2.imwrite(str(scans / f"p{n}.png"), img)
    (scans / "p9.png").write_bytes(b"not an image")
    result = xindang(
        "results", "scan", str(scans), "--json", "--accept-confident", "--vault", str(vault)
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["sheets"], report["read"], report["needs_review"], report["accepted"]) == (
        3,
        3,
        [],
        3,
    )
    assert report["unreadable"] == [
        {"file": "p9.png", "reason": "不是可识别的图片（支持 PNG、JPEG、TIFF、PDF）"}
    ]
