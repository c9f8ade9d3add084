"""The core never imports Qt: every app module outside app.ui imports with PySide6 blocked."""

import importlib
import pkgutil
import subprocess
import sys

import app


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(app.__path__, "app."):
        if info.name.startswith("app.ui") or ".migrations" in info.name:
            continue
        names.append(info.name)
    return names


def test_there_are_core_modules_to_check():
    assert {"app.vault.keyslots", "app.services.roster_import", "app.db.engine"} <= set(
        core_modules()
    )


def test_every_core_module_imports_without_pyside6():
    code = (
        "import sys, importlib\n"
        "sys.modules['PySide6'] = None\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "assert not any(m.startswith('PySide6') and sys.modules[m] is not None for m in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_ui_package_does_import_qt():
    assert importlib.import_module("app.ui.application")


def test_the_sync_client_is_part_of_the_checked_core():
    assert {"app.sync.runner", "app.sync.transport", "app.sync.outbox"} <= set(core_modules())


def test_client_and_reference_server_share_no_code():
    """The protocol document is the contract: neither side imports the other."""
    import ast
    from pathlib import Path

    root = Path(app.__file__).resolve().parent.parent
    for folder, forbidden in (("app", "cloud"), ("cloud", "app")):
        for path in (root / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                for name in names:
                    assert name.split(".")[0] != forbidden, f"{path} imports {name}"
