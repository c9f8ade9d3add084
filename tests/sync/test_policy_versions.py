"""A school's own sync policy keeps working across releases: an older format is read in the
current one, later defaults reach it without widening what the school chose, and a policy from a
newer release is refused rather than misread."""

import json

import pytest
from sqlalchemy import select

from app.models import OutboxItem, VaultSetting
from app.services import assessments, students, sync
from app.sync import policy
from app.versioned import NewerDocument


def _default() -> dict:
    return json.loads(json.dumps(policy.default_policy()))


def _store_as_release_0_1(vault, doc: dict) -> None:
    """Written straight into the vault, as release 0.1 kept it (no schema, no based_on)."""
    with vault.session() as s:
        s.merge(VaultSetting(key=policy.SETTING_KEY, value={"v": doc}))


def _release_0_1_policy() -> dict:
    doc = _default()
    doc.pop("schema")
    for spec in doc["entities"].values():
        if "student" in spec.get("fields", {}):
            spec["fields"]["student_no"] = spec["fields"].pop("student")
    return doc


def test_a_schema_1_policy_sends_the_student_as_its_key(enrolled_school):
    _store_as_release_0_1(enrolled_school, _release_0_1_policy())
    kid = students.search_students(enrolled_school, students.StudentFilter(), limit=1)[0]
    assessments.record_result(enrolled_school, kid.id, "GAD-7", [1] * 7, mode="paper")
    with enrolled_school.session() as s:
        [item] = s.scalars(select(OutboxItem).where(OutboxItem.entity == "assessment_result"))
        payload = json.loads(item.payload)
    assert "student" in payload and "student_no" not in payload


def test_an_old_custom_policy_gets_the_audit_head_and_workload_as_the_default_sends_them():
    old = _release_0_1_policy()
    del old["entities"]["audit_head"], old["entities"]["workload"]
    now = policy.current_form(old)
    assert now["entities"]["audit_head"] == {"send": True}
    assert now["entities"]["workload"] == {"send": True}
    assert now["schema"] == policy.SCHEMA and "offered" in now and now["offered"] == []


def test_a_new_student_field_reaches_an_old_custom_policy_switched_off_and_offered():
    old = _release_0_1_policy()
    del old["entities"]["warning"]["fields"]["reviewed_at"]
    now = policy.current_form(old)
    assert now["entities"]["warning"]["fields"]["reviewed_at"] is False
    assert now["offered"] == ["warning.reviewed_at"]
    [row] = [r for r in policy.describe(now) if (r.entity, r.field) == ("warning", "reviewed_at")]
    assert row.offered and not row.sent


def test_a_policy_saved_by_the_admin_is_stamped_and_nothing_stays_offered(enrolled_school):
    old = _release_0_1_policy()
    del old["entities"]["warning"]["fields"]["reviewed_at"]
    sync.set_policy(enrolled_school, old)
    with enrolled_school.session() as s:
        kept = s.get(VaultSetting, policy.SETTING_KEY).value["v"]
    assert kept["schema"] == policy.SCHEMA and kept["based_on"] == _default()["version"]
    assert "offered" not in kept and kept["entities"]["warning"]["fields"]["reviewed_at"] is False
    assert not any(r.offered for r in sync.policy_rows(enrolled_school))


def test_a_policy_from_a_newer_release_is_refused_in_chinese(enrolled_school):
    doc = _default() | {"schema": policy.SCHEMA + 1}
    with pytest.raises(NewerDocument) as info:
        sync.set_policy(enrolled_school, doc)
    assert "更新版本的心档" in info.value.user_message()
