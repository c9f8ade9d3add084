"""Every shipped definition loads and is coherent; a broken one names file, field and reason."""

import json

import pytest

from app.scales.definition import ScaleDefinitionError, load_definition
from app.scales.library import UnknownScale, shipped_scale, shipped_scales

REQUIRED_IDS = {
    "PHQ-9",
    "PHQ-A",
    "GAD-7",
    "PHQ-2",
    "GAD-2",
    "K10",
    "K6",
    "SCARED",
    "DSRSC",
    "CES-D",
    "CES-DC",
    "SDS",
    "SAS",
    "RSES",
    "SCL-90",
    "MHT",
    "MSSMHS",
    "UCLA-3",
}
FREE_WITH_TEXTS = {"PHQ-9", "GAD-7", "PHQ-2", "GAD-2", "K10", "K6", "CES-D"}


def test_the_library_has_every_required_scale():
    assert set(shipped_scales()) >= REQUIRED_IDS


@pytest.mark.parametrize("scale_id", sorted(REQUIRED_IDS))
def test_each_definition_states_its_source_licence_and_choices(scale_id):
    d = shipped_scale(scale_id)
    assert d.raw["citation"] and d.raw["licence"]["note"]
    assert d.version.count(".") == 2


@pytest.mark.parametrize("scale_id", sorted(REQUIRED_IDS))
def test_item_texts_ship_only_where_the_licence_allows(scale_id):
    d = shipped_scale(scale_id)
    assert d.has_item_texts == (scale_id in FREE_WITH_TEXTS)
    assert d.raw["licence"]["item_texts"] == d.has_item_texts


@pytest.mark.parametrize("scale_id", ["SCL-90", "MSSMHS"])
def test_factor_items_cover_every_item_exactly_once(scale_id):
    d = shipped_scale(scale_id)
    items = sorted(i for s in d.raw["subscales"] for i in s["items"])
    assert items == list(range(1, d.item_count + 1))


def test_mht_content_scales_and_lie_scale_partition_the_100_items():
    d = shipped_scale("MHT")
    content = [i for s in d.raw["subscales"] for i in s["items"]]
    lie = d.raw["validity"]["lie_scale"]["items"]
    assert sorted(content + lie) == list(range(1, 101)) and len(content) == 90


def test_ids_are_case_insensitive_and_unknown_ids_are_named():
    assert shipped_scale("phq-9").id == "PHQ-9"
    with pytest.raises(UnknownScale, match="未知的量表 XYZ"):
        shipped_scale("XYZ")


def broken(tmp_path, mutate):
    doc = json.loads(json.dumps(shipped_scale("PHQ-9").raw))
    mutate(doc)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "field", "reason"),
    [
        (lambda d: d.pop("citation"), "(top level)", "'citation' is a required property"),
        (
            lambda d: (
                d["reverse_items"].append(12)
                if "reverse_items" in d
                else d.update(reverse_items=[12])
            ),
            "reverse_items",
            "第 12 题超出 1–9 的范围",
        ),
        (
            lambda d: d["critical_items"][0].update(at_least="one"),
            "critical_items/0/at_least",
            "'one' is not of type 'integer'",
        ),
        (lambda d: d["bands"].update(score="nothing"), "bands/score", "未知的分数 nothing"),
        (lambda d: d["licence"].update(item_texts=False), "items", "题目文本存在，但许可不允许"),
        (lambda d: d["items"].pop(), "items", "题目文本必须恰好覆盖 1–9"),
    ],
)
def test_a_broken_definition_is_rejected_with_file_field_and_reason(
    tmp_path, mutate, field, reason
):
    with pytest.raises(ScaleDefinitionError) as info:
        load_definition(broken(tmp_path, mutate))
    err = info.value
    assert (err.file, err.field) == ("broken.json", field)
    assert reason in err.reason


def test_a_file_that_is_not_json_is_rejected_with_its_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n "id": "X",\n oops\n}', "utf-8")
    with pytest.raises(ScaleDefinitionError) as info:
        load_definition(path)
    assert info.value.field == "(line 3)"
