"""Load and check scale definitions. A broken file is rejected with its name, field and reason."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import AppError
from app.i18n import _, current_language


class ScaleDefinitionError(AppError):
    def __init__(self, file: str, field_path: str, reason: str) -> None:
        self.file = file
        self.field = field_path
        self.reason = reason
        super().__init__(
            _("Scale definition {file}, field {field}: {reason}").format(
                file=file, field=field_path, reason=reason
            )
        )


def text_of(text: dict | None) -> str:
    """The current language's text, falling back to Chinese."""
    if not text:
        return ""
    return text.get("en" if current_language() == "en" else "zh") or text.get("zh", "")


@dataclass(frozen=True)
class Option:
    value: int
    label: dict


@dataclass(frozen=True)
class ScaleDefinition:
    """A checked definition. `raw` keeps the document for the engine's less common rules."""

    id: str
    version: str
    name: dict
    item_count: int
    option_sets: dict[str, tuple[Option, ...]]
    item_option_set: tuple[str, ...]  # per item, 0-based
    reverse_items: frozenset[int]
    unscored_items: frozenset[int]
    item_texts: dict[int, dict]
    raw: dict = field(repr=False, compare=False)
    source_file: str = ""
    bounds: tuple[tuple[int, int], ...] = field(default=(), repr=False, compare=False)
    allowed: tuple[frozenset[int], ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        # Per item, computed once: scoring is a hot path.
        values = [frozenset(o.value for o in self.option_sets[k]) for k in self.item_option_set]
        object.__setattr__(self, "allowed", tuple(values))
        object.__setattr__(self, "bounds", tuple((min(v), max(v)) for v in values))

    def options_for(self, item: int) -> tuple[Option, ...]:
        return self.option_sets[self.item_option_set[item - 1]]

    def allowed_values(self, item: int) -> list[int]:
        return [o.value for o in self.options_for(item)]

    def is_allowed(self, item: int, value: int) -> bool:
        return value in self.allowed[item - 1]

    @property
    def scored_items(self) -> list[int]:
        return [i for i in range(1, self.item_count + 1) if i not in self.unscored_items]

    @property
    def has_item_texts(self) -> bool:
        return bool(self.item_texts)

    @property
    def title(self) -> str:
        return text_of(self.name)


_SCHEMA: dict | None = None


def _schema() -> dict:
    global _SCHEMA
    if _SCHEMA is None:
        from app.paths import resources_dir

        _SCHEMA = json.loads((resources_dir() / "scales" / "schema.json").read_text("utf-8"))
    return _SCHEMA


def parse_definition(doc: dict, file: str = "<memory>") -> ScaleDefinition:
    from jsonschema import Draft202012Validator

    errors = sorted(
        Draft202012Validator(_schema()).iter_errors(doc), key=lambda e: list(e.absolute_path)
    )
    if errors:
        e = errors[0]
        path = "/".join(str(p) for p in e.absolute_path) or "(top level)"
        raise ScaleDefinitionError(file, path, e.message)
    n = doc["item_count"]

    def check_items(items, where: str) -> None:
        bad = [i for i in items if not 1 <= i <= n]
        if bad:
            raise ScaleDefinitionError(
                file, where, _("item {item} is outside 1–{n}").format(item=bad[0], n=n)
            )

    sets = {
        k: tuple(Option(o["value"], o["label"]) for o in v) for k, v in doc["option_sets"].items()
    }
    default = doc.get("default_option_set") or next(iter(sets))
    if default not in sets:
        raise ScaleDefinitionError(
            file, "default_option_set", _("unknown option set {name}").format(name=default)
        )
    per_item = [default] * n
    for key, name in doc.get("item_option_sets", {}).items():
        if name not in sets:
            raise ScaleDefinitionError(
                file, f"item_option_sets/{key}", _("unknown option set {name}").format(name=name)
            )
        check_items([int(key)], f"item_option_sets/{key}")
        per_item[int(key) - 1] = name
    check_items(doc.get("reverse_items", []), "reverse_items")
    check_items(doc.get("unscored_items", []), "unscored_items")
    for sid, spec in doc["scores"].items():
        check_items(spec.get("items", []), f"scores/{sid}/items")
        if spec["method"] == "scaled" and (
            spec.get("source") not in doc["scores"] or "factor" not in spec
        ):
            raise ScaleDefinitionError(
                file, f"scores/{sid}", _("a scaled score needs a known source and a factor")
            )
    for k, sub in enumerate(doc.get("subscales", [])):
        check_items(sub["items"], f"subscales/{k}/items")
    for k, crit in enumerate(doc.get("critical_items", [])):
        check_items([crit["item"]], f"critical_items/{k}/item")
    lie = doc.get("validity", {}).get("lie_scale")
    if lie:
        check_items(lie["items"], "validity/lie_scale/items")
    texts = {it["number"]: it["text"] for it in doc.get("items", [])}
    if texts:
        if not doc["licence"]["item_texts"]:
            raise ScaleDefinitionError(
                file, "items", _("item texts are present but the licence does not allow them")
            )
        if sorted(texts) != list(range(1, n + 1)):
            raise ScaleDefinitionError(
                file, "items", _("item texts must number 1–{n} exactly once").format(n=n)
            )
    known_scores = set(doc["scores"]) | {s["id"] for s in doc.get("subscales", [])}
    bands = doc.get("bands")
    if bands and bands["score"] not in known_scores:
        raise ScaleDefinitionError(
            file, "bands/score", _("unknown score {name}").format(name=bands["score"])
        )
    if doc.get("standard_score") and doc["standard_score"] not in doc["scores"]:
        raise ScaleDefinitionError(
            file, "standard_score", _("unknown score {name}").format(name=doc["standard_score"])
        )
    return ScaleDefinition(
        id=doc["id"],
        version=doc["version"],
        name=doc["name"],
        item_count=n,
        option_sets=sets,
        item_option_set=tuple(per_item),
        reverse_items=frozenset(doc.get("reverse_items", [])),
        unscored_items=frozenset(doc.get("unscored_items", [])),
        item_texts=texts,
        raw=doc,
        source_file=file,
    )


def load_definition(path: Path) -> ScaleDefinition:
    path = Path(path)
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScaleDefinitionError(path.name, "(file)", _("the file cannot be read")) from exc
    except json.JSONDecodeError as exc:
        raise ScaleDefinitionError(
            path.name, f"(line {exc.lineno})", _("not valid JSON: {error}").format(error=exc.msg)
        ) from exc
    if not isinstance(doc, dict):
        raise ScaleDefinitionError(
            path.name, "(top level)", _("a definition must be a JSON object")
        )
    return parse_definition(doc, path.name)
