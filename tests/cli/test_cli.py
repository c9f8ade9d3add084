"""The CLI as IT staff script it: real processes, real vaults, exit codes and JSON."""

import json
import os
import subprocess
import sys

import pytest

from app.services import synthetic

PASS = "cli-passphrase-2026"


def xindang(*args, passphrase=PASS, env_extra=None):
    env = {**os.environ, "XINDANG_PASSPHRASE": passphrase, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


@pytest.fixture(scope="module")
def cli_vault(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    vault = root / "vault"
    result = xindang("init", "--vault", str(vault), "--school", "测试中学", "--admin", "admin")
    assert result.returncode == 0, result.stderr
    roster = synthetic.write_roster_csv(
        root / "roster.csv",
        synthetic.generate_students(60, seed=9),
        encoding="gbk",
        title="学生名册",
    )
    return vault, roster, result.stdout


def test_init_prints_the_recovery_code_once(cli_vault):
    _vault, _roster, out = cli_vault
    lines = out.strip().splitlines()
    assert lines[1] == "恢复码（仅显示一次，请抄写并密封保管）："
    assert len(lines[2].split("-")) == 8


def test_init_refuses_an_existing_vault(cli_vault):
    vault, _roster, _ = cli_vault
    result = xindang("init", "--vault", str(vault), "--school", "x", "--admin", "admin")
    assert result.returncode == 2
    assert "已有档案库" in result.stderr


def test_import_json_report_then_idempotent_reimport(cli_vault):
    vault, roster, _ = cli_vault
    first = xindang("import-roster", str(roster), "--vault", str(vault), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["created"] == 60
    again = json.loads(
        xindang("import-roster", str(roster), "--vault", str(vault), "--json").stdout
    )
    assert (again["created"], again["updated"], again["unchanged"], again["invalid"]) == (
        0,
        0,
        60,
        [],
    )


def test_invalid_rows_exit_nonzero_and_import_nothing(cli_vault, tmp_path):
    vault, _roster, _ = cli_vault
    bad = synthetic.write_roster_csv(
        tmp_path / "bad.csv",
        synthetic.generate_students(3, seed=99),
        extra_rows=[["G1", "坏行", "男", "2012-01-01", "七年级", "1班"]],
    )
    result = xindang("import-roster", str(bad), "--vault", str(vault), "--json")
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["created"] == 0 and doc["invalid"] == [
        {
            "row": 5,
            "column": "学籍号",
            "reason": "学籍号应为 G 加 18 位身份证号，或以 L/J 开头的临时学籍号",
        }
    ]
    skipped = json.loads(
        xindang(
            "import-roster",
            str(bad),
            "--vault",
            str(vault),
            "--json",
            "--skip-invalid",
            "--dry-run",
        ).stdout
    )
    assert skipped["created"] == 3 and skipped["applied"] is False


def test_students_search_json(cli_vault):
    vault, _roster, _ = cli_vault
    target = synthetic.generate_students(60, seed=9)[7]
    result = xindang("--vault", str(vault), "students", "--search", target.student_no, "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows == [
        {
            "student_no": target.student_no,
            "name": target.name,
            "gender": "男" if target.gender == "M" else "女",
            "grade": "七年级",
            "class": "1班",
            "status": "在读",
            "birth_date": target.birth_date.isoformat(),
        }
    ]


def test_vault_from_the_environment(cli_vault):
    vault, _roster, _ = cli_vault
    result = xindang(
        "students", "--search", "zz", "--json", env_extra={"XINDANG_VAULT": str(vault)}
    )
    assert result.returncode == 0 and isinstance(json.loads(result.stdout), list)


def test_a_wrong_passphrase_is_one_chinese_line_and_changes_nothing(cli_vault):
    vault, _roster, _ = cli_vault
    before = {p.name: p.read_bytes() for p in vault.iterdir()}
    result = xindang("students", "--vault", str(vault), passphrase="wrong-passphrase")
    assert result.returncode == 2
    assert result.stderr.strip() == "错误：密码错误，请重试。"
    assert result.stdout == ""
    assert {p.name: p.read_bytes() for p in vault.iterdir()} == before


def test_audit_verify(cli_vault):
    vault, _roster, _ = cli_vault
    result = xindang("audit", "verify", "--vault", str(vault))
    assert result.returncode == 0
    assert result.stdout.startswith("审计日志完整：")


def test_no_passphrase_and_no_terminal_is_a_clear_error(cli_vault):
    vault, _roster, _ = cli_vault
    env = {k: v for k, v in os.environ.items() if k != "XINDANG_PASSPHRASE"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "students", "--vault", str(vault)],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2 and "XINDANG_PASSPHRASE" in result.stderr


def test_demo_creates_a_2400_student_school_in_motion(tmp_path):
    vault = tmp_path / "demo"
    result = xindang("demo", "--vault", str(vault))
    assert result.returncode == 0, result.stderr
    listed = xindang("students", "--vault", str(vault), "--json", passphrase="xindang-demo")
    rows = json.loads(listed.stdout)
    assert len(rows) == 2400
    assert {r["grade"] for r in rows} == {"七年级", "八年级", "九年级", "高一", "高二", "高三"}
    found = xindang("warnings", "list", "--vault", str(vault), "--json", passphrase="xindang-demo")
    shown = json.loads(found.stdout)
    assert {w["level"] for w in shown} == {"red", "orange", "yellow", "watch"}
    assert {w["status"] for w in shown} == {"raised", "confirmed", "dismissed", "resolved"}


def test_user_add_and_list(cli_vault):
    vault, _roster, _ = cli_vault
    added = xindang(
        "user",
        "add",
        "--vault",
        str(vault),
        "--login",
        "li",
        "--name",
        "李老师",
        "--role",
        "counselor",
        env_extra={"XINDANG_NEW_PASSPHRASE": "li-passphrase-1"},
    )
    assert added.returncode == 0, added.stderr
    listed = xindang(
        "user", "list", "--vault", str(vault), "--user", "li", passphrase="li-passphrase-1"
    )
    assert listed.stdout.splitlines() == [
        "admin\tadmin\t心理负责人（管理员）",
        "li\t李老师\t心理教师",
    ]


def test_export_roster_needs_a_file_password_and_writes_an_encrypted_file(cli_vault, tmp_path):
    vault, _roster, _ = cli_vault
    out = tmp_path / "out.xlsx"
    refused = xindang("export-roster", str(out), "--vault", str(vault), "--user", "admin")
    assert refused.returncode != 0 and "请给文件设置密码" in refused.stderr
    assert not out.exists()
    result = xindang(
        "export-roster",
        str(out),
        "--vault",
        str(vault),
        "--user",
        "admin",
        env_extra={"XINDANG_FILE_PASSWORD": "文件密码123"},
    )
    assert result.returncode == 0, result.stderr
    assert "文件密码" in result.stdout and "不加密" not in result.stdout
    assert out.read_bytes()[:4] == bytes.fromhex("d0cf11e0")


def test_score_prints_the_documented_json():
    result = xindang("score", "PHQ-9", "--responses", "0,1,0,1,0,0,0,0,1", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "scale": "PHQ-9",
        "version": "1.1.0",
        "engine_version": "1.0.0",
        "total": 3,
        "standard_score": None,
        "scores": {"total": 3},
        "subscales": {},
        "band": {"id": "minimal", "label": "无或极轻"},
        "critical_items": [9],
        "validity": {"valid": True, "flags": [], "missing_items": [], "missing_critical": []},
    }


def test_score_a_csv_of_answer_sheets(tmp_path):
    sheets = tmp_path / "sheets.csv"
    sheets.write_text(
        "学籍号,1,2,3,4,5,6,7\nA1,0,0,0,0,0,0,1\nA2,3,3,3,3,3,3,3\nA3,1,1,9,1,1,1,1\n", "utf-8"
    )
    result = xindang("score", "GAD-7", "--csv", str(sheets), "--json")
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [(x["id"], x["total"], x["band"]["id"]) for x in lines] == [
        ("A1", 1, "minimal"),
        ("A2", 21, "severe"),
    ]
    assert result.returncode == 1
    assert "第 4 行：第 3 题：9 不是有效选项" in result.stderr


def test_score_rejects_an_unknown_scale_in_chinese():
    result = xindang("score", "NOPE", "--responses", "1")
    assert result.returncode == 2 and result.stderr.strip() == "错误：未知的量表 NOPE。"


def test_rules_show_set_and_evaluate(cli_vault, tmp_path):
    vault, _roster, _ = cli_vault
    shown = json.loads(xindang("rules", "show", "--vault", str(vault), "--user", "admin").stdout)
    assert shown["version"] == 1 and shown["rules"][0]["id"] == "critical-official"
    shown["rules"] = [r for r in shown["rules"] if r["id"] != "diagnosis"]
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(shown, ensure_ascii=False), "utf-8")
    saved = xindang(
        "rules", "set", str(path), "--note", "测试", "--vault", str(vault), "--user", "admin"
    )
    assert saved.returncode == 0 and saved.stdout.strip() == "预警规则已保存为第 2 版。"
    evaluated = xindang("rules", "evaluate", "--vault", str(vault), "--user", "admin")
    assert evaluated.returncode == 0 and evaluated.stdout.startswith("已评估 60 名学生")
