"""The frozen bundle proves itself: built with PyInstaller from installer/xindang.spec, then its
own `--self-test` runs with no Python environment behind it."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist" / "xindang"

pytestmark = pytest.mark.dist


def _sources_newer_than(marker: Path) -> bool:
    stamp = marker.stat().st_mtime
    watched = [ROOT / "installer" / "xindang.spec", ROOT / "pyproject.toml"]
    watched += list((ROOT / "app").rglob("*.py")) + list((ROOT / "resources").rglob("*"))
    return any(p.stat().st_mtime > stamp for p in watched if p.is_file())


@pytest.fixture(scope="module")
def bundle() -> Path:
    exe = DIST / "xindang-cli"
    if not exe.exists() or _sources_newer_than(exe):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--log-level",
                "WARN",
                "--distpath",
                str(ROOT / "dist"),
                "--workpath",
                str(ROOT / "build" / "pyinstaller"),
                str(ROOT / "installer" / "xindang.spec"),
            ],
            check=True,
            cwd=ROOT,
            timeout=1800,
        )
    return DIST


@pytest.mark.slow
def test_the_frozen_bundle_passes_its_self_test(bundle, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env |= {
        "XINDANG_HOME": str(tmp_path / "home"),
        "QT_QPA_PLATFORM": "offscreen",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [str(bundle / "xindang-cli"), "--self-test"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "self-test passed"
    assert "ok    pdf with Chinese and a chart" in done.stdout


@pytest.mark.slow
def test_the_bundle_carries_its_data_files_and_version(bundle):
    internal = bundle / "_internal"
    for rel in (
        "resources/scales/phq-9.json",
        "resources/fonts",
        "resources/icons/xindang.ico",
        "app/resources/locale/zh_CN/LC_MESSAGES/xindang.mo",
        "app/db/migrations/versions/0006_sync_state.py",
    ):
        assert (internal / rel).exists(), rel
    assert not (internal / "cloud").exists() and not (internal / "fastapi").exists()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    out = subprocess.run(
        [str(bundle / "xindang-cli"), "--version"], capture_output=True, text=True, timeout=120
    )
    assert out.stdout.strip() == f"xindang {version}"


def test_installer_scripts_say_what_the_issue_asks():
    iss = (ROOT / "installer" / "windows" / "xindang.iss").read_text("utf-8")
    assert "PrivilegesRequired=lowest" in iss and "ChineseSimplified.isl" in iss
    assert "{group}\\心档" in iss and "DelTree" in iss and "MB_DEFBUTTON2" in iss
    desktop = (ROOT / "installer" / "linux" / "xindang.desktop").read_text("utf-8")
    assert "Name[zh_CN]=心档" in desktop and "Icon=xindang" in desktop
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(ROOT / "installer/linux/xindang.desktop")],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stdout
