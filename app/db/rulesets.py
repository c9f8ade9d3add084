"""The warning rule set in force, read from the vault (the store's part of the rules; checking
and editing them are use cases in app/services/warning_rules.py)."""

from __future__ import annotations

import json
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import WarningRuleSet
from app.risk.ruleset import current_form, with_new_defaults


@cache
def _shipped() -> str:
    from app.paths import resources_dir

    return (resources_dir() / "risk" / "default_rules.json").read_text("utf-8")


def default_rules() -> dict:
    """A fresh copy of the shipped default (callers may edit it)."""
    return json.loads(_shipped())


# Rule sets are never changed in place, so a parsed one is kept by its row id (a UUID): every
# transaction that stores evidence reads the rules, and parsing them each time was measurable.
_parsed: dict[str, dict] = {}


def active_rule_set(s: Session) -> tuple[int, dict]:
    """The newest rule set, in the current schema. The shipped default is installed on first use;
    a vault on an unedited default moves to a newer default, and a school's own rule set gains
    the default rules added since it was made (`ruleset.with_new_defaults`) — each change a new
    version, so every warning stays explained by the rules that raised it."""
    head = s.execute(
        select(WarningRuleSet.id, WarningRuleSet.version, WarningRuleSet.created_by)
        .order_by(WarningRuleSet.version.desc())
        .limit(1)
    ).first()
    if head is not None and head.id in _parsed:
        return head.version, _parsed[head.id]
    if head is None:
        return _install(s, 1, default_rules(), default_rules().get("note"))
    row = s.get(WarningRuleSet, head.id)
    rules = current_form(row.rules)
    shipped = default_rules()
    newer_default = rules.get("version", 1) < shipped.get("version", 1)
    if head.created_by is None and row.note == rules.get("note") and newer_default:
        return _install(s, head.version + 1, shipped, shipped.get("note"))
    merged, added = with_new_defaults(rules, shipped)
    if added:
        return _install(
            s, head.version + 1, merged, "新的默认规则已加入学校规则：" + "、".join(added)
        )
    _parsed[head.id] = rules
    return head.version, rules


def _install(s: Session, version: int, rules: dict, note: str | None) -> tuple[int, dict]:
    row = WarningRuleSet(version=version, rules=rules, note=note)
    s.add(row)
    s.flush()
    _parsed[row.id] = rules
    return row.version, rules
