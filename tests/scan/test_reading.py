"""The reader on synthetic scans of the real sheets, marked and degraded as people and machines
do: never a wrong answer accepted, clean marks read, two marks always to a person."""

import random

import pytest

from app.reports.scan_sheets import SheetFor, build_scan_sheets
from app.scales.library import shipped_scale
from app.scan import read, synthetic
from app.scan.layout import Payload, layout


def sheet(scale_id: str):
    defn = shipped_scale(scale_id)
    lay = layout([tuple(defn.allowed_values(i)) for i in range(1, defn.item_count + 1)])
    pdf = build_scan_sheets(
        "心理健康问卷 A",
        "选项",
        lay,
        [SheetFor("学生", "七年级1班", "TOKEN123")],
        Payload("", defn.id, defn.version, "", 1, lay.pages),
        "XD-TEST",
    )
    return lay, pdf


@pytest.mark.parametrize("kind", synthetic.DEGRADATIONS)
@pytest.mark.parametrize("scale_id", ["PHQ-9", "SCL-90"])
def test_no_wrong_answer_is_accepted_and_clean_marks_are_read(scale_id, kind):
    lay, pdf = sheet(scale_id)
    rng = random.Random(hash((scale_id, kind)) % 1000)
    img = synthetic.render_pages(pdf, 200)[0]
    truth = synthetic.mark_page(img, 200, lay, 1, rng)
    page = read.read_page(synthetic.degrade(img, kind, rng), lambda _p: lay)
    assert page.payload.token == "TOKEN123" and page.payload.scale == scale_id
    got = {it.item: it for it in page.items}
    for t in truth:
        it = got[t.item]
        if it.state == read.ONE:
            assert it.value == t.value, (t, it)  # accepted means right
        if t.style == "two":
            assert it.state != read.ONE, (t, it)
        if t.style in synthetic.CLEAN:
            assert it.state == read.ONE, (t, it)


def test_the_payload_names_no_student():
    encoded = Payload("abcd12", "PHQ-9", "1.1.0", "TOKEN123", 1, 1).encode()
    assert encoded == "X1 ABCD12 PHQ-9 1.1.0 TOKEN123 1/1"  # QR alphanumeric mode
    assert Payload.decode(encoded) == Payload("ABCD12", "PHQ-9", "1.1.0", "TOKEN123", 1, 1)
    assert Payload.decode("something else") is None


def test_the_layout_json_gives_every_bubble_in_pdf_points():
    defn = shipped_scale("PHQ-9")
    lay = layout([tuple(defn.allowed_values(i)) for i in range(1, 10)])
    doc = lay.to_json()
    assert len(doc["bubbles"]) == 9 * 4 and len(doc["markers"]) == 4
    first = doc["bubbles"][0]
    assert (first["page"], first["item"], first["option"]) == (1, 1, 0)
    assert 0 < first["x"] < 595.28 and 0 < first["y"] < 841.89 and first["d"] > 12


def test_a_long_form_flows_onto_a_second_page_that_reads_on_its_own():
    options = [(1, 2, 3, 4, 5)] * 150
    lay = layout(options)
    assert lay.pages == 2 and {b.page for b in lay.bubbles if b.item == 150} == {2}
    pdf = build_scan_sheets(
        "心理健康问卷 A",
        "选项",
        lay,
        [SheetFor("学生", "七年级1班", "TOKEN123")],
        Payload("", "LONG", "1.0.0", "", 1, lay.pages),
        "XD-TEST",
    )
    second = synthetic.render_pages(pdf, 200)[1]
    truth = synthetic.mark_page(
        second, 200, lay, 2, random.Random(2), {i: "full" for i in range(1, 151)}
    )
    page = read.read_page(second, lambda _p: lay)
    assert (page.payload.page, page.payload.pages) == (2, 2)
    assert [(i.item, i.value) for i in page.items] == [(t.item, t.value) for t in truth]
