"""The warning rule set in force, read from the vault (the store's part of the rules; checking
and editing them are use cases in app/services/warning_rules.py)."""

from __future__ import annotations

import json
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import WarningRuleSet


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
    """The newest rule set; the shipped default is installed (or upgraded) on first use."""
    head = s.execute(
        select(WarningRuleSet.id, WarningRuleSet.version, WarningRuleSet.created_by)
        .order_by(WarningRuleSet.version.desc())
        .limit(1)
    ).first()
    rules = None
    if head is not None:
        rules = _parsed.get(head.id)
        if rules is None:
            row = s.get(WarningRuleSet, head.id)
            rules = _parsed.setdefault(head.id, row.rules)
            stale = (
                head.created_by is None
                and row.note == rules.get("note")
                and rules.get("version", 1) < default_rules().get("version", 1)
            )
            if stale:
                _parsed.pop(head.id)
                rules = None
    if rules is None:
        shipped = default_rules()
        row = WarningRuleSet(
            version=(head.version + 1) if head else 1, rules=shipped, note=shipped.get("note")
        )
        s.add(row)
        s.flush()
        _parsed[row.id] = shipped
        return row.version, shipped
    return head.version, rules
