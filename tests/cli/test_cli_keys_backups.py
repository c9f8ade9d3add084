"""`xindang backup` / `restore` / key commands, as IT staff would script them."""

import os
import subprocess
import sys

from tests.conftest import PASSPHRASE


def _run(*args, **env):
    full = dict(os.environ, XINDANG_PASSPHRASE=PASSPHRASE, **env)
    return subprocess.run(
        [sys.executable, "-m", "app", *args], env=full, capture_output=True, text=True, timeout=120
    )


def test_backup_then_restore_from_the_command_line(populated_vault, tmp_path):
    root = str(populated_vault.root)
    populated_vault.lock()
    made = _run("backup", "--vault", root, "--user", "admin", "--to", str(tmp_path / "usb"))
    assert made.returncode == 0, made.stderr
    path = made.stdout.strip().split("：", 1)[-1].strip()
    checked = _run("backup", "verify", path, "--user", "admin")
    assert checked.returncode == 0 and "120" in checked.stdout, checked.stderr
    restored = _run("restore", path, "--vault", root, "--user", "admin")
    assert restored.returncode == 0, restored.stderr


def test_restore_of_a_different_archive_is_refused_in_chinese(
    populated_vault, make_vault, tmp_path
):
    populated_vault.lock()
    made = _run(
        "backup",
        "--vault",
        str(populated_vault.root),
        "--user",
        "admin",
        "--to",
        str(tmp_path / "usb"),
    )
    path = made.stdout.strip().split("：", 1)[-1].strip()
    other, _code = make_vault("other")
    other.lock()
    refused = _run("restore", path, "--vault", str(other.root), "--user", "admin")
    assert refused.returncode == 2 and "另一个档案库" in refused.stderr, refused.stderr


def test_rotate_and_regenerate_from_the_command_line(vault):
    root = str(vault.root)
    vault.lock()
    assert _run("rotate-key", "--vault", root, "--user", "admin").returncode == 0
    out = _run("recovery", "regenerate", "--vault", root, "--user", "admin")
    assert out.returncode == 0 and len(out.stdout.splitlines()[-1]) > 20


def test_passphrase_change_from_the_command_line_takes_the_new_one(vault):
    from app.services import vaults

    root = str(vault.root)
    vault.lock()
    new = "秋月无边2027-changed"
    changed = _run(
        "passphrase", "change", "--vault", root, "--user", "admin", XINDANG_NEW_PASSPHRASE=new
    )
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.strip() == "密码已修改。"
    vaults.unlock(vault.root, new, "admin").lock()


def test_a_command_on_an_archive_open_elsewhere_says_so_in_chinese(populated_vault, tmp_path):
    made = _run(
        "backup", "--vault", str(populated_vault.root), "--user", "admin", "--to", str(tmp_path)
    )
    assert made.returncode == 2, made.stderr
    assert "已在另一个心档窗口中打开" in made.stderr and "备份恢复" not in made.stderr
