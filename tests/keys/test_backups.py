"""Backups are verified after writing; restores verify first and never overwrite silently."""

import datetime as dt
import json
import os
import stat

import pytest
from sqlalchemy import func, select

from app.models import Student
from app.services import backups, keys, vaults
from tests.conftest import PASSPHRASE


def _students(vault) -> int:
    with vault.session() as s:
        return s.scalar(select(func.count()).select_from(Student))


def test_a_backup_is_written_verified_and_private(populated_vault, tmp_path):
    info = backups.backup(populated_vault, tmp_path / "usb")
    assert info.students == 120 and info.audit_entries > 0
    names = sorted(p.name for p in info.path.iterdir())
    assert names == ["archive.db", "keys.json", "manifest.json"]
    assert (info.path / "archive.db").read_bytes()[:16] != b"SQLite format 3\x00"
    assert stat.S_IMODE(os.stat(info.path / "archive.db").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(info.path).st_mode) == 0o700
    assert backups.verify_backup(info.path, PASSPHRASE, "admin")["students"] == 120


def test_old_backups_beyond_the_retention_are_removed(vault, tmp_path):
    made = [backups.backup(vault, tmp_path / "b", keep=3).path for _ in range(5)]
    kept = [b.path for b in backups.list_backups(tmp_path / "b")]
    assert kept == made[-3:]


def test_a_tampered_backup_fails_verification(populated_vault, tmp_path):
    info = backups.backup(populated_vault, tmp_path / "b")
    data = bytearray((info.path / "archive.db").read_bytes())
    data[8192 + 100] ^= 0xFF
    (info.path / "archive.db").write_bytes(bytes(data))
    with pytest.raises(backups.BackupFailed):
        backups.verify_backup(info.path, PASSPHRASE, "admin")


def test_restore_brings_back_the_data_and_keeps_what_was_there(populated_vault, tmp_path):
    info = backups.backup(populated_vault, tmp_path / "b")
    with populated_vault.session() as s:
        s.scalars(select(Student)).first().name = "备份之后改的"
    root = populated_vault.root
    populated_vault.lock()
    aside = backups.restore(info.path, root, PASSPHRASE, "admin")
    assert aside is not None and (aside / "archive.db").exists()
    again = vaults.unlock(root, PASSPHRASE, "admin")
    with again.session() as s:
        assert "备份之后改的" not in set(s.scalars(select(Student.name)))
    assert _students(again) == 120
    again.lock()


def test_a_backup_of_another_vault_needs_confirmation(populated_vault, make_vault, tmp_path):
    info = backups.backup(populated_vault, tmp_path / "b")
    other, _code = make_vault("other")
    root = other.root
    other.lock()
    with pytest.raises(backups.RestoreRefused):
        backups.restore(info.path, root, PASSPHRASE, "admin")
    assert vaults.unlock(root, PASSPHRASE, "admin").vault_id == other.vault_id
    backups.restore(info.path, root, PASSPHRASE, "admin", other_vault=True)
    assert vaults.unlock(root, PASSPHRASE, "admin").vault_id == populated_vault.vault_id


def test_a_backup_made_before_a_key_rotation_still_restores(populated_vault, tmp_path):
    info = backups.backup(populated_vault, tmp_path / "b")
    keys.rotate_data_key(populated_vault)
    root = populated_vault.root
    populated_vault.lock()
    backups.restore(info.path, root, PASSPHRASE, "admin")
    assert _students(vaults.unlock(root, PASSPHRASE, "admin")) == 120


def test_the_recovery_code_opens_a_backup(make_vault, tmp_path):
    v, code = make_vault("rc")
    info = backups.backup(v, tmp_path / "b")
    assert backups.verify_backup(info.path, code)["vault_id"] == v.vault_id


def test_a_scheduled_backup_is_due_after_the_interval(vault, tmp_path):
    assert not backups.backup_due(vault)
    vaults.set_setting(vault, "backup_folder", str(tmp_path / "b"))
    assert backups.backup_due(vault)
    backups.backup(vault, tmp_path / "b")
    assert not backups.backup_due(vault)
    assert backups.backup_due(vault, today=dt.datetime.now() + dt.timedelta(days=8))


def _with_users(vault):
    vaults.add_user(
        vault, login="boss", display_name="校长", role="viewer", passphrase="viewer-pass-长城1"
    )
    vaults.add_user(
        vault, login="cb", display_name="陈老师", role="counselor", passphrase="counsel-pass-黄河2"
    )


def test_a_viewer_or_counselor_of_the_live_archive_cannot_roll_it_back(populated_vault, tmp_path):
    _with_users(populated_vault)
    info = backups.backup(populated_vault, tmp_path / "b")
    with populated_vault.session() as s:
        s.scalars(select(Student)).first().name = "备份之后改的"
    root = populated_vault.root
    populated_vault.lock()
    for login, secret in (("boss", "viewer-pass-长城1"), ("cb", "counsel-pass-黄河2")):
        with pytest.raises(backups.RestoreRefused, match="只有当前档案库的管理员"):
            backups.restore(info.path, root, secret, login)
    assert not [p for p in root.iterdir() if p.name.startswith("before-restore")]
    again = vaults.unlock(root, PASSPHRASE, "admin")
    with again.session() as s:
        assert "备份之后改的" in set(s.scalars(select(Student.name)))
    again.lock()


def test_a_removed_user_cannot_restore_the_backup_that_still_holds_their_key(
    populated_vault, tmp_path
):
    vaults.add_user(
        populated_vault,
        login="ex",
        display_name="前任",
        role="admin",
        passphrase="former-pass-泰山3",
    )
    info = backups.backup(populated_vault, tmp_path / "b")
    keys.remove_user(populated_vault, "ex")
    root = populated_vault.root
    populated_vault.lock()
    assert backups.verify_backup(info.path, "former-pass-泰山3", "ex")  # the backup still opens
    with pytest.raises(backups.RestoreRefused):
        backups.restore(info.path, root, "former-pass-泰山3", "ex")
    vaults.unlock(root, PASSPHRASE, "admin").lock()  # the live archive is untouched


def test_an_admin_restores_and_users_removed_since_stay_removed_with_an_audit_entry(
    populated_vault, tmp_path
):
    _with_users(populated_vault)
    info = backups.backup(populated_vault, tmp_path / "b")
    keys.remove_user(populated_vault, "cb")
    root = populated_vault.root
    populated_vault.lock()
    backups.restore(info.path, root, PASSPHRASE, "admin")
    with pytest.raises(Exception):  # noqa: B017 - unknown user or wrong passphrase: no slot
        vaults.unlock(root, "counsel-pass-黄河2", "cb")
    again = vaults.unlock(root, PASSPHRASE, "admin")
    assert [u.login for u in vaults.list_users(again)] == ["admin", "boss"]
    from app.models import AuditEntry

    with again.session() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "restore").order_by(AuditEntry.seq.desc())
        ).first()
    detail = json.loads(entry.detail)
    assert detail["by"] == "admin" and detail["kept_removed"] == ["cb"]
    assert detail["rolled_back_entries"] >= 1  # the removal, undone by the restore
    again.lock()


def test_a_cancelled_backup_leaves_nothing_behind(populated_vault, tmp_path):
    from app.errors import Cancelled

    def progress(step, total, _words):
        if step == 2:
            raise Cancelled()

    with pytest.raises(Cancelled):
        backups.backup(populated_vault, tmp_path / "usb", progress=progress)
    assert list((tmp_path / "usb").iterdir()) == []


def test_a_backup_reports_each_step(populated_vault, tmp_path):
    steps = []
    backups.backup(populated_vault, tmp_path / "usb", progress=lambda *a: steps.append(a[:2]))
    assert steps == [(0, 4), (1, 4), (2, 4), (3, 4)]


def test_a_rotation_cancelled_before_the_new_keys_changes_nothing(populated_vault):
    from app.errors import Cancelled
    from app.services import students

    before = bytes(bytearray(populated_vault.database_key()))

    def progress(step, total, _words):
        if step == 2:
            raise Cancelled()

    with pytest.raises(Cancelled):
        keys.rotate_data_key(populated_vault, progress)
    assert populated_vault.database_key() == before
    assert len(students.search_students(populated_vault, limit=5)) == 5
    assert not list(populated_vault.root.glob("*.rotating*"))
