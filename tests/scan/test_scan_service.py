"""Scans into the archive: read, held for review with cut-outs, confirmed, stored as "scan"."""

import pytest

from app.errors import ValidationError
from app.services import assessments, scans

SEED_POSITIVE = 8  # a seed whose marks total ≥ 10


def values(truth):
    return [t.value for t in sorted(truth, key=lambda t: t.item)]


def test_clean_sheets_need_no_review_and_store_only_when_accepted(populated_vault, scanned):
    paths, truths, kids = scanned("GAD-7", styles={i: "full" for i in range(1, 8)})
    report = scans.scan_files(populated_vault, paths)
    assert (report.sheets, report.read, report.needs_review, report.unreadable) == (2, 2, [], [])
    assert assessments.history(populated_vault, kids[0].id) == []  # nothing unreviewed
    rows = scans.accept_confident(populated_vault, report.ready)
    by_student = {r.student_id: r for r in rows}
    for kid, truth in zip(kids, truths, strict=True):
        [stored] = assessments.history(populated_vault, kid.id)
        assert stored.mode == "scan" and stored.id == by_student[kid.id].id
        assert stored.total == sum(values(truth))


def test_two_marks_and_a_blank_are_sent_to_a_person_with_their_cut_outs(populated_vault, scanned):
    styles = {i: "full" for i in range(1, 8)}
    styles[3], styles[5] = "two", "blank"
    paths, _truths, kids = scanned("GAD-7", styles=styles, count=1)
    report = scans.scan_files(populated_vault, paths)
    assert report.needs_review == [
        {"file": paths[0].name, "student_no": kids[0].student_no, "items": [3, 5]}
    ]
    [sheet] = scans.review_queue(populated_vault)
    assert [(i.item, i.state) for i in sheet.items] == [(3, "multiple"), (5, "blank")]
    assert all(i.crop.startswith(b"\x89PNG") for i in sheet.items)
    with pytest.raises(ValidationError, match="第 5 题尚未确认"):
        scans.confirm(populated_vault, sheet.id, {3: 1})
    row = scans.confirm(populated_vault, sheet.id, {3: 2, 5: None})
    assert row.mode == "scan" and 5 in row.missing_items
    assert scans.review_queue(populated_vault) == []


def test_a_critical_item_is_always_confirmed_and_a_mark_alerts_at_once(populated_vault, scanned):
    styles = {i: "full" for i in range(1, 10)}
    paths, truths, kids = scanned("PHQ-9", styles=styles, count=1, seed=11)
    item9 = next(t for t in truths[0] if t.item == 9).value
    report = scans.scan_files(populated_vault, paths)
    assert report.needs_review[0]["items"] == [9]  # marked: still shown to a person
    alerts = assessments.open_alerts(populated_vault)
    assert [(a.student_id, a.item) for a in alerts] == ([(kids[0].id, 9)] if item9 else [])


def test_a_blank_critical_item_goes_to_review(populated_vault, scanned):
    styles = {i: "full" for i in range(1, 9)}
    styles[9] = "blank"
    paths, _t, _k = scanned("PHQ-9", styles=styles, count=1)
    report = scans.scan_files(populated_vault, paths)
    [sheet] = scans.review_queue(populated_vault)
    assert report.needs_review[0]["items"] == [9] and sheet.items[0].critical


@pytest.mark.parametrize("fmt", ["jpg", "tif"])
def test_jpeg_and_tiff_scans_are_read(populated_vault, scanned, fmt):
    paths, _t, _k = scanned("GAD-7", styles={i: "full" for i in range(1, 8)}, fmt=fmt)
    assert scans.scan_files(populated_vault, paths).read == 2


def test_a_hundred_item_sheet_is_read_whole(populated_vault, scanned):
    paths, truths, _kids = scanned("MHT", styles={i: "full" for i in range(1, 101)}, count=1)
    report = scans.scan_files(populated_vault, paths)
    # MHT's critical items (85, 97) are always shown to a person, even when clearly marked
    assert (report.sheets, report.needs_review[0]["items"]) == (1, [85, 97])
    [sheet] = scans.review_queue(populated_vault)
    assert [(i.item, i.state) for i in sheet.items] == [(85, "one"), (97, "one")]
    marked = {t.item: t.value for t in truths[0]}
    row = scans.confirm(populated_vault, sheet.id, {85: marked[85], 97: marked[97]})
    lie = {82, 84, 86, 88, 90, 92, 94, 96, 98, 100}  # the lie scale is not in the total
    assert row.total == sum(t.value for t in truths[0] if t.item not in lie)


def test_unreadable_files_say_why_and_nothing_is_lost(populated_vault, scanned, tmp_path):
    paths, _t, _k = scanned("GAD-7", styles={i: "full" for i in range(1, 8)}, count=1)
    junk = tmp_path / "broken.png"
    junk.write_bytes(b"\x89PNG not really")
    blank = tmp_path / "empty.png"
    import cv2
    import numpy as np

    cv2.imwrite(str(blank), np.full((800, 600), 255, np.uint8))
    report = scans.scan_files(populated_vault, [*paths, junk, blank])
    assert report.read == 1
    assert {u["file"]: u["reason"] for u in report.unreadable} == {
        "broken.png": "不是可识别的图片（支持 PNG、JPEG、TIFF、PDF）",
        "empty.png": "找不到页面四角的定位标记（只找到 0 个）",
    }


def _kept_pages(vault):
    from sqlalchemy import select

    from app.models import ScanSheet

    with vault.session() as s:
        return [row.pages for row in s.scalars(select(ScanSheet))]


def test_page_images_are_kept_only_when_the_school_chooses(populated_vault, scanned):
    from app.services import vaults

    paths, _t, _k = scanned("GAD-7", styles={i: "full" for i in range(1, 8)}, count=1)
    scans.scan_files(populated_vault, paths)
    assert _kept_pages(populated_vault) == [None]
    vaults.set_setting(populated_vault, scans.KEEP_IMAGES, True)
    scans.scan_files(populated_vault, paths)
    [kept] = _kept_pages(populated_vault)  # scanned again: the waiting sheet is replaced
    assert list(kept) == ["1"] and kept["1"].startswith("/9j/")  # a JPEG, inside the vault


def _long_scale(vault, tmp_path):
    """A city form of 150 five-point items: two pages of bubbles per student."""
    import json

    doc = {
        "id": "LONG-150",
        "version": "1.0.0",
        "name": {"zh": "长问卷"},
        "item_count": 150,
        "option_sets": {"f": [{"value": v, "label": {"zh": str(v)}} for v in range(1, 6)]},
        "scores": {"total": {"method": "sum", "decimals": 0}},
        "validity": {"max_missing": 0},
        "citation": "synthetic test form",
        "licence": {"status": "free_with_citation", "item_texts": False, "note": "test"},
    }
    path = tmp_path / "long.json"
    path.write_text(json.dumps(doc), "utf-8")
    assessments.import_scale(vault, path)


def test_a_two_page_sheet_is_one_sheet_and_a_missing_page_goes_to_review(
    populated_vault, scanned, tmp_path
):
    _long_scale(populated_vault, tmp_path)
    styles = {i: "full" for i in range(1, 151)}
    paths, truths, kids = scanned("LONG-150", styles=styles, count=2)
    assert len(paths) == 4  # two pages each
    report = scans.scan_files(populated_vault, paths[:3])  # the second student's page 2 lost
    assert (report.sheets, report.read) == (2, 3)
    [held] = report.needs_review
    assert held["student_no"] == kids[1].student_no and len(held["items"]) == 150 - 102
    [row] = scans.accept_confident(populated_vault, report.ready)
    assert row.student_id == kids[0].id and row.total == sum(t.value for t in truths[0])


def test_a_positive_band_read_from_a_scan_warns_before_the_review(populated_vault, scanned):
    from app.services import warning_detail, warnings

    styles = {i: "full" for i in range(1, 8)}
    styles[4] = "pencil"  # faint among pen marks: held for a person, read at its likeliest
    paths, truths, kids = scanned("GAD-7", styles=styles, count=1, seed=SEED_POSITIVE)
    total = sum(t.value for t in truths[0])
    assert total >= 10  # GAD-7 moderate or worse: positive under the default rules
    report = scans.scan_files(populated_vault, paths)
    assert report.needs_review[0]["items"] == [4]
    assert assessments.history(populated_vault, kids[0].id) == []
    [w] = warnings.queue(populated_vault)
    detail = warning_detail.detail(populated_vault, w.id)
    assert any(
        line.startswith("GAD-7 扫描识别结果为") and "尚未人工确认" in line
        for line in detail.evidence
    )
