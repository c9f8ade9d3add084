"""No signal's arguments can reach an optional parameter.

Qt passes `clicked(bool)`, `triggered(bool)`, `toggled(bool)` … to the slot; a slot with a
defaulted parameter then runs with that bool (`print_(False)` printed nothing, `remove(False)`
skipped its confirmation). So every connection in app/ui goes to a lambda, a signal, one of Qt's
own no-argument slots, or a function none of whose definitions has a defaulted parameter.
"""

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[1] / "app" / "ui"
QT_SLOTS = {"accept", "reject", "close", "completeChanged", "show", "hide", "raise_"}
SIGNAL_KEYWORDS = {"clicked", "triggered", "toggled", "activated", "pressed", "released"}


def _definitions() -> tuple[dict[str, list[bool]], set[str]]:
    """Every function name in app/ui with whether each definition has a default; the signals."""
    defs: dict[str, list[bool]] = {}
    signals: set[str] = set()
    for path in UI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                a = node.args
                has = bool(a.defaults) or any(d is not None for d in a.kw_defaults)
                defs.setdefault(node.name, []).append(has)
            elif (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", None) == "Signal"
            ):
                signals |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return defs, signals


def _targets():
    """(where, target expression) for every .connect(x) and clicked=/triggered=… keyword."""
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "connect"
                and node.args
            ):
                yield f"{path.name}:{node.lineno}", node.args[0]
            elif isinstance(node, ast.keyword) and node.arg in SIGNAL_KEYWORDS:
                yield f"{path.name}:{node.value.lineno}", node.value


def _problem(target: ast.expr, defs, signals) -> str | None:
    if isinstance(target, ast.Lambda):
        return None
    if isinstance(target, ast.Attribute | ast.Name):
        name = target.attr if isinstance(target, ast.Attribute) else target.id
        if name in signals or name in QT_SLOTS:
            return None
        if name in defs:
            return "has a defaulted parameter" if any(defs[name]) else None
        return "is not a lambda, a signal or a known function (use app.ui.buttons or a lambda)"
    return "is an expression (use a lambda)"


def test_no_signal_is_connected_to_a_callable_with_defaulted_parameters():
    defs, signals = _definitions()
    bad = [
        f"{where}: {ast.unparse(target)} {problem}"
        for where, target in _targets()
        if (problem := _problem(target, defs, signals))
    ]
    assert bad == []


def test_the_check_catches_the_pattern_it_exists_for():
    defs = {"print_": [True], "refresh": [False]}
    assert _problem(ast.parse("self.print_", mode="eval").body, defs, set())
    assert _problem(ast.parse("slot", mode="eval").body, defs, set())
    assert not _problem(ast.parse("self.refresh", mode="eval").body, defs, set())
    assert not _problem(ast.parse("lambda: self.print_()", mode="eval").body, defs, set())
