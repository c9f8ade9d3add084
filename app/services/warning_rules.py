"""The warning rule sets stored in the vault: numbered versions, checked before they are kept.

Old warnings stay explainable because a rule set is never changed in place; the newest version is
the one in force. A vault still on a shipped default (installed automatically, never edited) moves
to a newer shipped default by itself, so new safety rules reach schools that never touched them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.db import audit, scalestore
from app.db.rulesets import active_rule_set, default_rules  # noqa: F401 - re-exported
from app.models import WarningRuleSet
from app.risk.ruleset import current_form, validate_rule_set
from app.services.permissions import require
from app.services.vaults import OpenVault


def validate_rules(rules: object, vault: OpenVault | None = None) -> None:
    """Refuse a rule set that would fail later; raises RuleSetError (a ValidationError). With a
    vault, the scales it names may be any this vault keeps (city and licensed ones included)."""
    if vault is None:
        validate_rule_set(rules)
        return
    with vault.session() as s:
        validate_rule_set(rules, scalestore.catalogue(s))


def save_rule_set(vault: OpenVault, rules: dict, note: str = "") -> int:
    """Admins edit the rules; each save is a new version, so old warnings stay explainable."""
    require(vault.user.role, "change_settings")
    with vault.session() as s:
        validate_rule_set(rules, scalestore.catalogue(s))
        # Stamped with the format and the default it was made from: later default rules reach it.
        rules = {**current_form(rules)}
        rules.setdefault("based_on", default_rules().get("version", 1))
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
