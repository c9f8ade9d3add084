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


# The layers run one way: a module imports only from its own layer or those below it. Every
# import counts, including those inside functions (they used to hide a cycle).
LAYERS = {
    "base": {
        "errors",
        "versioned",
        "i18n",
        "paths",
        "settings",
        "atomic_write",
        "storage_errors",
        "crashpoints",
        "redaction",
        "logs",
        "crash",
        "resources",
    },
    "domain": {"scales", "scan", "risk", "records", "roster", "reports"},
    "store": {"models", "db", "vault"},
    "sync": {"sync"},
    "services": {"services"},
    "edges": {"ui", "cli", "__main__", "app"},
}
ORDER = ["base", "domain", "store", "sync", "services", "edges"]


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "app"


def _imports() -> list[tuple[str, str]]:
    """(importing module, imported module) for every `app.` import in the package."""
    import ast
    from pathlib import Path

    root = Path(app.__file__).resolve().parent
    out = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = "app." + ".".join(path.relative_to(root).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            out += [
                (module, n) for n in names if n == "app" or n.startswith(("app.", "sqlalchemy"))
            ]
    return out


def _layer(package: str) -> int:
    return next(ORDER.index(name) for name, members in LAYERS.items() if package in members)


def test_every_package_has_a_layer():
    packages = {_package(m) for m, n in _imports()} | {
        _package(n) for m, n in _imports() if n.startswith("app.")
    }
    assert {p for p in packages if not any(p in m for m in LAYERS.values())} == set()


def test_imports_only_go_down_the_layers():
    upward = sorted(
        f"{m} imports {n}"
        for m, n in _imports()
        if n.startswith("app.") and _layer(_package(n)) > _layer(_package(m))
    )
    assert upward == []


def test_the_sync_client_uses_no_use_case():
    assert [(m, n) for m, n in _imports() if m.startswith("app.sync") and "app.services" in n] == []


def test_widgets_hold_no_sql():
    assert [
        (m, n)
        for m, n in _imports()
        if m.startswith("app.ui") and (n.startswith("sqlalchemy") or n.startswith("app.models"))
    ] == []


def test_no_two_packages_import_each_other_through_any_chain():
    graph: dict[str, set[str]] = {}
    for m, n in _imports():
        if n.startswith("app.") and _package(m) != _package(n):
            graph.setdefault(_package(m), set()).add(_package(n))

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert sorted(p for p in graph if reaches(p, p, {p})) == []


def test_use_cases_read_scales_from_the_vault_not_the_shipped_library():
    """A city or licensed definition lives in the vault (app/db/scalestore.py): a use case, the
    sync client or a widget that read the shipped library directly would ignore it."""
    import ast
    from pathlib import Path

    root = Path(app.__file__).resolve().parent
    allowed = {"UnknownScale", "legacy_dir"}
    vault_free = {"services/demo_activity.py", "cli/__init__.py", "cli/selftest.py"}
    found = []
    for folder in ("services", "sync", "ui", "cli"):
        for path in (root / folder).rglob("*.py"):
            if str(path.relative_to(root)) in vault_free:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module == "app.scales.library":
                    found += [
                        f"{path.relative_to(root)}: {a.name}"
                        for a in node.names
                        if a.name not in allowed
                    ]
    assert found == []


def test_the_unlock_window_is_built_before_the_orm_loads():
    """SQLAlchemy, Alembic and the models took 2 of the 3 seconds before the unlock window
    appeared; they now load in the background while the passphrase is typed."""
    import os
    import subprocess
    import sys

    code = (
        "import sys, app.ui.application, app.ui.unlock_view;"
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'app.models', 'app.services.vaults')"
        " if m in sys.modules))"
    )
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.stdout.strip() == "[]", done.stderr
