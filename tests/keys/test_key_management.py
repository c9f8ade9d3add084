"""Passphrase changes, removing users, a new recovery code, rotating the database key, handover."""

import os
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from app.db import audit
from app.errors import UnknownUser, ValidationError, VaultDamaged, WrongPassphrase
from app.models import AuditEntry, Student
from app.services import keys, vaults
from tests.conftest import FAST_KDF, PASSPHRASE


def _unlock(vault, passphrase=PASSPHRASE, login="admin"):
    return vaults.unlock(vault.root, passphrase, login, sleep=lambda _s: None)


def _actions(vault) -> list[str]:
    with vault.session() as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_changing_the_passphrase_needs_the_old_one_and_retires_it(vault):
    with pytest.raises(ValidationError):
        keys.change_passphrase(vault, "wrong", "新的口令很长很长2027")
    keys.change_passphrase(vault, PASSPHRASE, "新的口令很长很长2027")
    vault.lock()
    with pytest.raises(WrongPassphrase):
        _unlock(vault)
    again = _unlock(vault, "新的口令很长很长2027")
    assert audit.PASSPHRASE_CHANGE in _actions(again)
    again.lock()


def test_a_removed_user_can_no_longer_unlock(vault):
    vaults.add_user(
        vault, login="li", display_name="李老师", role="counselor", passphrase="李老师的口令2026"
    )
    keys.remove_user(vault, "li")
    with pytest.raises(UnknownUser):
        vaults.unlock(vault.root, "李老师的口令2026", "li", sleep=lambda _s: None)
    with pytest.raises(WrongPassphrase):
        vaults.unlock(vault.root, "李老师的口令2026", None, sleep=lambda _s: None)
    assert audit.USER_REMOVED in _actions(vault)


def test_the_last_admin_and_oneself_cannot_be_removed(vault):
    with pytest.raises(ValidationError):
        keys.remove_user(vault, "admin")


def test_a_new_recovery_code_replaces_the_old_one(vault, make_vault):
    v2, old_code = make_vault("second")
    new_code = keys.regenerate_recovery_code(v2)
    v2.lock()
    with pytest.raises(WrongPassphrase):
        vaults.reset_passphrase_with_recovery(
            v2.root, old_code, "admin", "另一个口令很长2026", kdf=FAST_KDF, sleep=lambda _s: None
        )
    vaults.reset_passphrase_with_recovery(
        v2.root, new_code, "admin", "另一个口令很长2026", kdf=FAST_KDF
    )
    assert _unlock(v2, "另一个口令很长2026").user.login == "admin"


def test_rotating_the_data_key_keeps_everything_and_retires_the_old_key(populated_vault, tmp_path):
    old_keys = (populated_vault.root / "keys.json").read_bytes()
    old_db_key = populated_vault.database_key()
    keys.rotate_data_key(populated_vault)
    assert populated_vault.database_key() != old_db_key
    with populated_vault.session() as s:
        assert s.scalar(select(func.count()).select_from(Student)) == 120
    assert audit.KEY_ROTATED in _actions(populated_vault)
    populated_vault.lock()
    again = _unlock(populated_vault)
    with again.session() as s:
        assert s.scalar(select(func.count()).select_from(Student)) == 120
    again.lock()
    # An old copy of the key file (with a removed user's slot, say) no longer opens the database.
    stale = tmp_path / "stale"
    shutil.copytree(populated_vault.root, stale)
    (stale / "keys.json").write_bytes(old_keys)
    with pytest.raises(VaultDamaged):
        vaults.unlock(stale, PASSPHRASE, "admin", sleep=lambda _s: None)


def test_the_audit_chain_survives_a_rotation(populated_vault):
    keys.rotate_data_key(populated_vault)
    with populated_vault.session() as s:
        assert audit.verify(s).ok


@pytest.mark.slow
@pytest.mark.parametrize("point", ["rotate.exported", "rotate.keys_written", "rotate.swapped"])
def test_a_rotation_killed_at_each_step_leaves_an_openable_vault(populated_vault, point):
    root = populated_vault.root
    populated_vault.lock()
    code = (
        "import sys\n"
        "from app.services import vaults, keys\n"
        f"v = vaults.unlock(sys.argv[1], {PASSPHRASE!r}, 'admin')\n"
        "keys.rotate_data_key(v)\n"
    )
    env = dict(os.environ, XINDANG_CRASH_AT=point)
    done = subprocess.run(
        [sys.executable, "-c", code, str(root)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 86, done.stderr
    vault = _unlock(populated_vault)
    with vault.session() as s:
        assert s.scalar(select(func.count()).select_from(Student)) == 120
        assert audit.verify(s).ok
    assert not (root / "archive.db.rotating").exists()
    assert '"next"' not in (root / "keys.json").read_text()
    keys.rotate_data_key(vault)  # and the next rotation works from there
    vault.lock()


def test_the_journal_of_a_copy_killed_mid_export_is_tidied_at_unlock(populated_vault):
    root = populated_vault.root
    populated_vault.lock()
    for leftover in ("archive.db.rotating", "archive.db.rotating-journal"):
        (root / leftover).write_bytes(b"\x00" * 512)  # what a kill during the copy leaves
    _unlock(populated_vault).lock()
    assert sorted(p.name for p in root.iterdir()) == ["archive.db", "keys.json"]


def test_handover_gives_the_archive_to_the_new_counselor(populated_vault):
    vaults.add_user(
        populated_vault,
        login="old",
        display_name="老刘",
        role="counselor",
        passphrase="老刘的口令很长2026",
    )
    result = keys.handover(
        populated_vault,
        departing_login="old",
        new_login="new",
        new_name="新老师",
        new_passphrase="新老师的口令很长2026",
    )
    assert len(result.recovery_code) > 20
    acts = _actions(populated_vault)
    assert (
        acts.index(audit.USER_REMOVED) < acts.index(audit.KEY_ROTATED) < acts.index(audit.HANDOVER)
    )
    populated_vault.lock()
    newcomer = vaults.unlock(populated_vault.root, "新老师的口令很长2026", "new")
    assert newcomer.user.display_name == "新老师"
    newcomer.lock()
    with pytest.raises(UnknownUser):
        vaults.unlock(populated_vault.root, "老刘的口令很长2026", "old", sleep=lambda _s: None)
