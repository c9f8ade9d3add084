"""The audit head is anchored in keys.json at every lock and backup: cutting the log short,
wiping it, dropping entries and re-chaining, or putting back an older database are all refused
at unlock, by name."""

import json
import shutil

import pytest

from app.db import audit
from app.db.copies import raw_connect
from app.errors import VaultDamaged
from app.services import backups, students, vaults
from tests.conftest import PASSPHRASE
from tests.vault.tampering import drop_and_rechain


def _locked_with_history(vault, n=10):
    kids = students.search_students(vault, limit=n)
    for i, kid in enumerate(kids):
        students.update_student_flags(vault, kid.id, diagnosis_note=f"第{i}条")
    # Copies of our own: the lock wipes the vault's keys.
    key = bytes(bytearray(vault.database_key()))
    audit_key = bytes(bytearray(audit.derive_audit_key(vault.unlocked_key().dek)))
    root = vault.root
    vault.lock()
    return root, key, audit_key


def _sql(root, key, *statements):
    conn = raw_connect(root / "archive.db", key)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


def test_a_clean_lock_and_unlock_passes_and_the_anchor_is_in_the_key_file(populated_vault):
    root, _key, _audit = _locked_with_history(populated_vault)
    anchor = json.loads((root / "keys.json").read_text("utf-8"))["audit_anchor"]
    assert anchor["entries"] > 10 and len(anchor["head"]) == 64
    vaults.unlock(root, PASSPHRASE, "admin").lock()


def test_deleting_the_last_entries_is_reported_as_cut_short(populated_vault):
    root, key, _audit = _locked_with_history(populated_vault)
    _sql(root, key, "DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 5 FROM audit_log)")
    with pytest.raises(VaultDamaged, match="审计记录在 .* 之后被截断"):
        vaults.unlock(root, PASSPHRASE, "admin")


def test_wiping_the_log_is_reported(populated_vault):
    root, key, _audit = _locked_with_history(populated_vault)
    _sql(root, key, "DELETE FROM audit_log")
    with pytest.raises(VaultDamaged, match="现在只有 0 条"):
        vaults.unlock(root, PASSPHRASE, "admin")


def test_dropping_entries_and_re_chaining_with_the_audit_key_is_reported(populated_vault):
    """What a user who can derive the audit key could do: drop the updates, re-chain the rest
    through the app's own `audit.record`, so the chain verifies."""
    root, key, audit_key = _locked_with_history(populated_vault)
    drop_and_rechain(root / "archive.db", key, audit_key, "action != 'update'")
    with pytest.raises(VaultDamaged, match="审计记录在 .* (之后被截断|之前被改写)"):
        vaults.unlock(root, PASSPHRASE, "admin")


def test_an_older_copy_of_the_database_is_reported_at_unlock(populated_vault, tmp_path):
    root = populated_vault.root
    info = backups.backup(populated_vault, tmp_path / "b")
    root, _key, _audit = _locked_with_history(populated_vault)
    shutil.copyfile(info.path / "archive.db", root / "archive.db")  # the rollback, by hand
    with pytest.raises(VaultDamaged, match="之后被截断"):
        vaults.unlock(root, PASSPHRASE, "admin")


def test_an_altered_anchor_is_reported(populated_vault):
    root, _key, _audit = _locked_with_history(populated_vault)
    doc = json.loads((root / "keys.json").read_text("utf-8"))
    doc["audit_anchor"]["entries"] = 1
    (root / "keys.json").write_text(json.dumps(doc), "utf-8")
    with pytest.raises(VaultDamaged, match="审计锚点"):
        vaults.unlock(root, PASSPHRASE, "admin")


def test_an_anchor_removed_from_the_key_file_is_reported(populated_vault):
    root, _key, _audit = _locked_with_history(populated_vault)
    doc = json.loads((root / "keys.json").read_text("utf-8"))
    del doc["audit_anchor"]
    (root / "keys.json").write_text(json.dumps(doc), "utf-8")
    with pytest.raises(VaultDamaged, match="审计锚点已从密钥文件中删除"):
        vaults.unlock(root, PASSPHRASE, "admin")
