"""The warning rule sets stored in the vault: numbered versions, checked before they are kept.

Old warnings stay explainable because a rule set is never changed in place; the newest version is
the one in force. A vault still on a shipped default (installed automatically, never edited) moves
to a newer shipped default by itself, so new safety rules reach schools that never touched them.
"""

from __future__ import annotations

import json
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import WarningRuleSet
from app.risk.ruleset import validate_rule_set
from app.services import audit
from app.services.permissions import require
from app.services.vaults import OpenVault


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


def validate_rules(rules: object) -> None:
    """Refuse a rule set that would fail later; raises RuleSetError (a ValidationError)."""
    validate_rule_set(rules)


def save_rule_set(vault: OpenVault, rules: dict, note: str = "") -> int:
    """Admins edit the rules; each save is a new version, so old warnings stay explainable."""
    require(vault.user.role, "change_settings")
    validate_rules(rules)
    with vault.session() as s:
        version, _rules = active_rule_set(s)
        s.add(WarningRuleSet(version=version + 1, rules=rules, note=note, created_by=vault.user.id))
        audit.record(s, audit.UPDATE, object_type="warning_rules", detail={"version": version + 1})
        return version + 1


def rule_names(vault: OpenVault) -> dict[str, str]:
    """Rule id → its name in the interface language: a person never reads `critical-official`."""
    from app.scales.definition import text_of

    with vault.session() as s:
        return {k: text_of(v) for k, v in rule_labels(s).items()}


def rule_labels(s: Session) -> dict[str, dict]:
    """Rule id → label of the rule set in force (plus the manual warning)."""
    _v, rules = active_rule_set(s)
    out = {r["id"]: r["label"] for r in rules["rules"]}
    out.setdefault("manual", {"zh": "手动预警（咨询师判断）", "en": "Raised by hand"})
    return out
