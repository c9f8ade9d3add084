"""Unlocking: passphrases, growing delays, the recovery code, users, and the keyring slot."""

import hashlib

import pytest

from app.db import audit
from app.errors import UnknownUser, WrongPassphrase
from app.services import vaults
from app.vault import keystore, vaultdir
from tests.conftest import FAST_KDF, PASSPHRASE


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_right_passphrase_unlocks_as_that_user(make_vault):
    vault, _ = make_vault()
    vault.lock()
    again = vaults.unlock(vault.root, PASSPHRASE, "admin")
    assert again.user.login == "admin" and again.user.role == "admin"
    again.lock()


def test_a_wrong_passphrase_raises_after_a_growing_delay_and_changes_nothing(make_vault):
    vault, _ = make_vault()
    vault.lock()
    before = (digest(vault.root / "archive.db"), digest(vault.root / "keys.json"))
    delays = []
    for _ in range(3):
        with pytest.raises(WrongPassphrase):
            vaults.unlock(vault.root, "not the passphrase", "admin", sleep=delays.append)
    assert delays == [0.5, 1.0, 2.0]
    assert (digest(vault.root / "archive.db"), digest(vault.root / "keys.json")) == before


def test_failed_attempts_are_audited_at_the_next_unlock(make_vault):
    vault, _ = make_vault()
    vault.lock()
    with pytest.raises(WrongPassphrase):
        vaults.unlock(vault.root, "nope-nope", "admin", sleep=lambda s: None)
    opened = vaults.unlock(vault.root, PASSPHRASE, "admin")
    with opened.session() as s:
        actions = [e.action for e in s.query(audit.AuditEntry).order_by(audit.AuditEntry.seq)]
    assert actions[-2:] == ["unlock_failed", "unlock"]
    assert vaultdir.recorded_failures(opened.vault_id) == []
    opened.lock()


def test_a_wrong_passphrase_message_is_chinese():
    assert str(WrongPassphrase()) == "密码错误，请重试。"


def test_an_unknown_user_is_named(make_vault):
    vault, _ = make_vault()
    vault.lock()
    with pytest.raises(UnknownUser, match="nobody"):
        vaults.unlock(vault.root, PASSPHRASE, "nobody")


def test_each_user_has_their_own_slot_and_passphrase(make_vault):
    vault, _ = make_vault()
    vaults.add_user(
        vault, login="li", display_name="李老师", role="counselor", passphrase="li-passphrase-1"
    )
    vault.lock()
    assert vaults.logins(vault.root) == ["admin", "li"]
    li = vaults.unlock(vault.root, "li-passphrase-1", "li")
    assert li.user.role == "counselor"
    li.lock()
    with pytest.raises(WrongPassphrase):
        vaults.unlock(vault.root, PASSPHRASE, "li", sleep=lambda s: None)


def test_without_a_login_every_user_slot_is_tried(make_vault):
    vault, _ = make_vault()
    vaults.add_user(
        vault, login="li", display_name="李老师", role="viewer", passphrase="li-passphrase-1"
    )
    vault.lock()
    opened = vaults.unlock(vault.root, "li-passphrase-1")
    assert opened.user.login == "li"
    opened.lock()


def test_the_recovery_code_resets_a_forgotten_passphrase(make_vault):
    vault, code = make_vault()
    vault.lock()
    vaults.reset_passphrase_with_recovery(
        vault.root, code.lower().replace("-", " "), "admin", "a brand new passphrase", kdf=FAST_KDF
    )
    with pytest.raises(WrongPassphrase):
        vaults.unlock(vault.root, PASSPHRASE, "admin", sleep=lambda s: None)
    opened = vaults.unlock(vault.root, "a brand new passphrase", "admin")
    with opened.session() as s:
        assert "recovery_reset" in [e.action for e in s.query(audit.AuditEntry)]
    opened.lock()


def test_a_wrong_recovery_code_is_refused(make_vault):
    vault, _ = make_vault()
    vault.lock()
    with pytest.raises(WrongPassphrase):
        vaults.reset_passphrase_with_recovery(
            vault.root,
            "0000-0000-0000-0000-0000-0000-0000-0000",
            "admin",
            "whatever-123",
            sleep=lambda s: None,
        )


def test_headless_linux_has_no_keyring_and_says_why():
    usable, reason = keystore.keyring_status()
    assert usable is False
    assert reason == "本机没有可用的安全系统密钥库。"


class MemoryKeyring:
    """An in-memory stand-in for the OS store with a real backend's interface."""

    def __init__(self):
        import keyring.backend

        class Backend(keyring.backend.KeyringBackend):
            priority = 1
            store: dict = {}

            def set_password(self, service, username, password):
                self.store[(service, username)] = password

            def get_password(self, service, username):
                return self.store.get((service, username))

            def delete_password(self, service, username):
                self.store.pop((service, username), None)

        self.backend = Backend()


def test_remember_on_this_computer_unlocks_without_the_passphrase(make_vault):
    import keyring

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring().backend)
    try:
        vault, _ = make_vault()
        vaultdir.remember_on_this_computer(vault.root, vault.unlocked_key(), vault.user.id)
        vault.lock()
        opened = vaults.unlock_remembered(vault.root, "admin")
        assert opened is not None and opened.user.login == "admin"
        vaultdir.forget_on_this_computer(vault.root, opened.user.id)
        opened.lock()
        assert vaults.unlock_remembered(vault.root, "admin") is None
    finally:
        keyring.set_keyring(previous)
