"""Property-based fuzzing of what comes from outside: rosters, scale definitions, answer files.
Whatever the bytes, the answer is a result or a Chinese domain error, never a crash."""

import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import AppError
from app.paths import resources_dir
from app.scales.definition import parse_definition
from app.services import answer_import, roster_import

# `make soak` raises the count (XINDANG_FUZZ_EXAMPLES=2000); `make test` runs 150 per property.
EXAMPLES = int(os.environ.get("XINDANG_FUZZ_EXAMPLES", "150"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

CELL = st.one_of(
    st.text(max_size=12),
    st.integers(-5, 40).map(str),
    st.sampled_from(
        [
            "学籍号",
            "姓名",
            "性别",
            "出生日期",
            "年级",
            "班级",
            "男",
            "女",
            "七年级",
            "3班",
            "G449900201206240123",
            "2012-06-24",
            "=1+1",
            "\ufeff",
            "",
        ]
    ),
)
ROWS = st.lists(st.lists(CELL, min_size=0, max_size=9), min_size=0, max_size=12)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"])


def _csv(rows, encoding) -> bytes:
    text = "\n".join(",".join(r) for r in rows)
    return text.encode(encoding, errors="replace")


@FAST
@given(rows=ROWS, encoding=ENCODINGS)
def test_any_roster_csv_gives_a_preview_or_a_domain_error(tmp_path_factory, rows, encoding):
    path = tmp_path_factory.mktemp("r") / "roster.csv"
    path.write_bytes(_csv(rows, encoding))
    try:
        roster_import.preview_roster(path)
    except AppError:
        pass


@FAST
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_random_bytes_as_a_roster_file_are_refused_cleanly(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("b") / f"roster{suffix}"
    path.write_bytes(data)
    try:
        roster_import.preview_roster(path)
    except AppError:
        pass


REAL = json.loads((resources_dir() / "scales" / "phq-9.json").read_text("utf-8"))
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 100)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@FAST
@given(key=st.sampled_from(sorted(REAL)), value=JSON, drop=st.booleans())
def test_a_mutated_scale_definition_is_loaded_or_refused_with_its_field(key, value, drop):
    doc = dict(REAL)
    if drop:
        doc.pop(key)
    else:
        doc[key] = value
    try:
        parse_definition(doc, file="fuzz.json")
    except AppError:
        pass


@FAST
@given(doc=JSON)
def test_any_json_as_a_scale_definition_is_refused_cleanly(doc):
    try:
        parse_definition(doc if isinstance(doc, dict) else {"x": doc}, file="fuzz.json")
    except AppError:
        pass


ANSWER_CELL = st.one_of(CELL, st.integers(-2, 6).map(str), st.sampled_from(["", " ", "3.5", "A"]))


@FAST
@given(
    rows=st.lists(st.lists(ANSWER_CELL, max_size=12), max_size=10),
    encoding=ENCODINGS,
    scale=st.sampled_from(["PHQ-9", "GAD-7", "SCL-90"]),
)
def test_any_answer_file_gives_a_report_or_a_domain_error(
    populated_vault, tmp_path_factory, rows, encoding, scale
):
    path: Path = tmp_path_factory.mktemp("a") / "answers.csv"
    path.write_bytes(_csv(rows, encoding))
    try:
        answer_import.preview_answers(populated_vault, path, scale)
    except AppError:
        pass
