"""Checking a rule set before it is stored: by an admin, from a file, or published by the city.

The JSON Schema (`resources/risk/rules.schema.json`) refuses unknown keys and bad types; the
semantic pass refuses scale ids, bands, event types and referral statuses nobody knows. Each
problem names its JSON path, so a typo in rule 7 is found in rule 7, not at evaluation time.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping

from app.errors import ValidationError
from app.i18n import N_, _
from app.scales.definition import ScaleDefinition
from app.scales.library import shipped_scales
from app.versioned import NewerDocument, Steps, schema_of, upgraded

_SCHEMA: dict | None = None
_TYPES = {
    "string": N_("text"),
    "integer": N_("integer"),
    "number": N_("number"),
    "boolean": N_("true/false"),
    "array": N_("list"),
    "object": N_("object"),
}


class RuleSetError(ValidationError):
    """A rule set that cannot be used; `path` is where in the JSON the problem is."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(
            "rules",
            _("The rule set is not valid at {path}: {problem}").format(path=path, problem=problem),
        )


def schema() -> dict:
    global _SCHEMA
    if _SCHEMA is None:
        from app.paths import resources_dir

        _SCHEMA = json.loads((resources_dir() / "risk" / "rules.schema.json").read_text("utf-8"))
    return _SCHEMA


def _path(parts) -> str:
    return "/".join(str(p) for p in parts) or _("(top level)")


def _schema_problem(e) -> str:
    """jsonschema's English message, said in Chinese for the counseling lead."""
    kind = e.validator
    if kind == "additionalProperties":
        known = set(e.schema.get("properties", {}))
        extra = sorted(k for k in e.instance if k not in known)
        return _("unknown key {keys}").format(keys="、".join(f"“{k}”" for k in extra))
    if kind == "required":
        missing = [k for k in e.validator_value if k not in e.instance]
        return _("missing key {keys}").format(keys="、".join(f"“{k}”" for k in missing))
    if kind == "type":
        return _("should be of type {type}").format(type=_(_TYPES.get(e.validator_value, "?")))
    if kind in ("enum", "const"):
        allowed = e.validator_value if kind == "enum" else [e.validator_value]
        return _("should be one of {values}").format(
            values="、".join(json.dumps(v, ensure_ascii=False) for v in allowed)
        )
    if kind in ("minProperties", "maxProperties"):
        return _("a condition has exactly one key")
    if kind == "minItems":
        return _("the list must not be empty")
    if kind in ("minimum", "maximum"):
        return _("{value} is out of range").format(value=e.instance)
    if kind in ("pattern", "minLength"):
        return _("“{value}” is not allowed here").format(value=e.instance)
    return _("not in the expected form")


def _conditions(cond: dict, path: list) -> Iterator[tuple[str, dict, list]]:
    for key, value in cond.items():
        if key in ("any", "all"):
            for i, sub in enumerate(value):
                yield from _conditions(sub, [*path, key, i])
        else:
            yield key, value, [*path, key]


SCHEMA = 1
STEPS: Steps = {}  # schema n → n + 1, kept for ever (app/versioned.py)


def current_form(rules: dict) -> dict:
    """A stored rule set as this release reads it; NewerDocument for one from a newer release."""
    return upgraded(rules, SCHEMA, STEPS, _("warning rule set"))


def with_new_defaults(rules: dict, default: dict) -> tuple[dict, list[str]]:
    """A school's own rule set with the default rules added since the default it was made from
    (`based_on`, else the `version` it was copied with): a new safety rule reaches a school that
    edited its rules, while a rule the school removed stays removed (it is older than its base).
    Returns the rule set and the ids added."""
    base = rules.get("based_on", rules.get("version", 1))
    newest = default.get("version", 1)
    if base >= newest:
        return rules, []
    have = {r["id"] for r in rules["rules"]}
    added = [r for r in default["rules"] if r.get("since", 1) > base and r["id"] not in have]
    out = copy.deepcopy(rules)
    out["rules"] += copy.deepcopy(added)
    out["based_on"] = newest
    return out, [r["id"] for r in added]


def validate_rule_set(rules: object, scales: Mapping[str, ScaleDefinition] | None = None) -> None:
    """Raise RuleSetError for the first problem; return quietly for a usable rule set."""
    from jsonschema import Draft202012Validator

    if isinstance(rules, dict) and schema_of(rules) > SCHEMA:
        raise RuleSetError(
            "schema", NewerDocument(_("warning rule set"), schema_of(rules), SCHEMA).user_message()
        )

    errors = sorted(
        Draft202012Validator(schema()).iter_errors(rules),
        key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))),
    )
    if errors:
        # The deepest error is the most specific one (an unknown key inside a condition).
        e = max(errors, key=lambda e: len(e.absolute_path))
        raise RuleSetError(_path(e.absolute_path), _schema_problem(e))
    _check_meaning(rules, shipped_scales() if scales is None else scales)


def _check_meaning(rules: dict, scales: Mapping[str, ScaleDefinition]) -> None:
    from app.records.choices import LIFE_EVENTS, REFERRAL_STATUS

    bands = {
        sid: {b["id"] for b in (d.raw.get("bands") or {}).get("ranges", [])}
        for sid, d in scales.items()
    }
    seen: set[str] = set()
    for i, rule in enumerate(rules["rules"]):
        if rule["id"] in seen:
            raise RuleSetError(
                _path(["rules", i, "id"]),
                _("the rule id “{id}” is used twice").format(id=rule["id"]),
            )
        seen.add(rule["id"])
        for key, value, path in _conditions(rule["when"], ["rules", i, "when"]):
            if key == "result":
                for j, sid in enumerate(value["scales"]):
                    if sid not in scales:
                        raise RuleSetError(
                            _path([*path, "scales", j]),
                            _("unknown scale “{scale}”").format(scale=sid),
                        )
                known = set().union(*(bands[s] for s in value["scales"]))
                for j, band in enumerate(value["bands"]):
                    if band not in known:
                        raise RuleSetError(
                            _path([*path, "bands", j]),
                            _("no scale in this rule has the band “{band}”").format(band=band),
                        )
            elif key == "event":
                for j, kind in enumerate(value["types"]):
                    if kind not in LIFE_EVENTS:
                        raise RuleSetError(
                            _path([*path, "types", j]),
                            _("unknown life-event type “{value}”").format(value=kind),
                        )
            elif key == "referral":
                for j, status in enumerate(value["statuses"]):
                    if status not in REFERRAL_STATUS:
                        raise RuleSetError(
                            _path([*path, "statuses", j]),
                            _("unknown referral status “{value}”").format(value=status),
                        )
    for sid, names in rules.get("positive_bands", {}).items():
        if sid not in scales:
            raise RuleSetError(
                _path(["positive_bands", sid]), _("unknown scale “{scale}”").format(scale=sid)
            )
        for j, band in enumerate(names):
            if band not in bands[sid]:
                raise RuleSetError(
                    _path(["positive_bands", sid, j]),
                    _("{scale} has no band “{band}”").format(scale=sid, band=band),
                )
