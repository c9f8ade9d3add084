"""The risk path from the command line: `results import` raises warnings at once, `warnings list`
shows them; bad files import nothing and say which row and column."""

import json
import os
import subprocess
import sys

import pytest

from app.services import students
from tests.conftest import PASSPHRASE


def xindang(vault, *args):
    env = {**os.environ, "XINDANG_PASSPHRASE": PASSPHRASE, "XINDANG_USER": "admin"}
    return subprocess.run(
        [sys.executable, "-m", "app", *args, "--vault", str(vault)],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


@pytest.fixture
def school(populated_vault):
    kids = students.search_students(populated_vault, limit=5)
    root = populated_vault.root
    populated_vault.lock()
    return root, kids


def sheet(path, rows, items=9, name_column=False):
    head = ["学籍号", *(["姓名"] if name_column else []), *map(str, range(1, items + 1))]
    lines = [",".join(head)] + [",".join(map(str, r)) for r in rows]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_import_raises_each_warning_at_once_and_reports_it(school, tmp_path):
    root, kids = school
    path = sheet(
        tmp_path / "phq9.csv",
        [
            [kids[0].student_no, 3, 3, 3, 3, 3, 2, 2, 2, 0],  # severe (23), item 9 = 0
            [kids[1].student_no, 0, 0, 0, 0, 0, 0, 0, 0, 1],  # critical answer
            [kids[2].student_no, 1, 1, 1, 1, 0, 0, 0, 0, ""],  # item 9 left blank
            [kids[3].student_no, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ],
    )
    result = xindang(root, "results", "import", str(path), "--scale", "PHQ-9", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "imported": 4,
        "invalid": [],
        "critical": [{"student_no": kids[1].student_no, "items": [9]}],
        "warnings": [
            {"student_no": kids[0].student_no, "level": "red", "rule": "severe-depression"},
            {"student_no": kids[1].student_no, "level": "red", "rule": "critical-official"},
            {"student_no": kids[2].student_no, "level": "orange", "rule": "critical-unanswered"},
        ],
    }
    listed = json.loads(xindang(root, "warnings", "list", "--open", "--json").stdout)
    assert [w["level"] for w in listed] == ["red", "red", "orange"]
    assert {(w["student_no"], w["status"]) for w in listed[:2]} == {
        (kids[0].student_no, "raised"),
        (kids[1].student_no, "raised"),
    }
    assert (listed[2]["student_no"], listed[2]["status"]) == (kids[2].student_no, "raised")
    first = next(w for w in listed if w["student_no"] == kids[0].student_no)
    assert set(first) == {"student_no", "name", "level", "status", "rule", "flags", "raised_at"}
    assert first["name"] == kids[0].name and first["flags"] == []


def test_a_phq9_file_imported_as_gad7_imports_nothing(school, tmp_path):
    root, kids = school
    path = sheet(tmp_path / "phq9.csv", [[kids[0].student_no, *[1] * 9]])
    result = xindang(root, "results", "import", str(path), "--scale", "GAD-7", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["imported"] == 0
    assert report["invalid"] == [
        {
            "row": 2,
            "column": "7",
            "reason": "文件中有到第 9 题的作答列，而 GAD-7 只有 7 题：可能是另一量表的文件",
        }
    ]
    assert json.loads(xindang(root, "warnings", "list", "--json").stdout) == []


def test_a_repeated_student_number_or_a_wrong_name_makes_those_rows_invalid(school, tmp_path):
    root, kids = school
    rows = [
        [kids[0].student_no, kids[0].name, *[0] * 9],
        [kids[0].student_no, kids[0].name, *[3] * 9],
        [kids[1].student_no, "张冠李戴", *[0] * 9],
        [kids[2].student_no, kids[2].name, *[0] * 9],
    ]
    path = sheet(tmp_path / "mixed.csv", rows, name_column=True)
    refused = xindang(root, "results", "import", str(path), "--scale", "PHQ-9", "--json")
    assert refused.returncode == 1
    assert [(p["row"], p["column"]) for p in json.loads(refused.stdout)["invalid"]] == [
        (2, "学籍号"),
        (3, "学籍号"),
        (4, "姓名"),
    ]
    assert "第 2、3 行" in json.loads(refused.stdout)["invalid"][0]["reason"]
    skipped = xindang(
        root, "results", "import", str(path), "--scale", "PHQ-9", "--skip-invalid", "--json"
    )
    assert skipped.returncode == 0 and json.loads(skipped.stdout)["imported"] == 1


def test_dry_run_writes_nothing(school, tmp_path):
    root, kids = school
    path = sheet(tmp_path / "phq9.csv", [[kids[0].student_no, *[3] * 9]])
    result = xindang(root, "results", "import", str(path), "--scale", "PHQ-9", "--dry-run")
    assert result.returncode == 0 and "未写入任何数据" in result.stdout
    assert json.loads(xindang(root, "warnings", "list", "--json").stdout) == []
