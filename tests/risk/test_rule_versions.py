"""A school's own warning rules keep working across releases: new default rules reach them, a
rule the school removed stays removed, and a rule set from a newer release is refused."""

import copy

import pytest

from app.db import rulesets
from app.errors import ValidationError
from app.models import WarningRuleSet
from app.risk.ruleset import SCHEMA, current_form, with_new_defaults
from app.services import warnings

NEW_RULE = {
    "id": "life-event-new",
    "level": "orange",
    "label": {"zh": "新增默认规则（测试）"},
    "when": {"diagnosis": True},
}


NEXT = rulesets.default_rules()["version"] + 1


def _next_default() -> dict:
    """The shipped default as a later release would ship it: one more rule, the next version."""
    doc = rulesets.default_rules()
    doc["version"] = NEXT
    doc["rules"].append(copy.deepcopy(NEW_RULE) | {"since": NEXT})
    return doc


def _school_rules() -> dict:
    doc = rulesets.default_rules()
    doc["rules"] = [r for r in doc["rules"] if r["id"] != "diagnosis"]
    return doc


def test_a_rule_added_to_the_default_reaches_a_school_that_edited_its_rules():
    merged, added = with_new_defaults(_school_rules(), _next_default())
    assert added == ["life-event-new"] and merged["based_on"] == NEXT
    assert [r["id"] for r in merged["rules"]][-1] == "life-event-new"


def test_a_rule_the_school_removed_stays_removed():
    merged, _added = with_new_defaults(_school_rules(), _next_default())
    assert "diagnosis" not in {r["id"] for r in merged["rules"]}


def test_nothing_changes_once_a_rule_set_is_based_on_the_newest_default():
    school = _school_rules() | {"based_on": NEXT}
    assert with_new_defaults(school, _next_default()) == (school, [])


def test_a_rule_set_from_before_schema_numbers_is_read_as_schema_1():
    doc = rulesets.default_rules()
    doc.pop("schema")
    assert current_form(doc)["schema"] == SCHEMA and "schema" not in doc


def test_the_vault_keeps_the_merge_as_a_new_version_with_a_note(populated_vault, monkeypatch):
    assert warnings.save_rule_set(populated_vault, _school_rules(), "学校自定规则") == 2
    later = _next_default()
    monkeypatch.setattr(rulesets, "default_rules", lambda: copy.deepcopy(later))
    rulesets._parsed.clear()
    with populated_vault.session() as s:
        version, rules = warnings.active_rule_set(s)
        row = s.query(WarningRuleSet).filter_by(version=version).one()
    assert version == 3 and "life-event-new" in {r["id"] for r in rules["rules"]}
    assert row.note == "新的默认规则已加入学校规则：life-event-new"


def test_a_rule_set_from_a_newer_release_is_refused_in_chinese(populated_vault):
    doc = rulesets.default_rules() | {"schema": SCHEMA + 1}
    with pytest.raises(ValidationError) as info:
        warnings.save_rule_set(populated_vault, doc)
    assert "更新版本的心档" in info.value.user_message()
