"""Every page's HMAC is checked after unlock, in the lane, not before the window opens: a
damaged page the unlock never read is found then, written to the audit log, and the window
locks and offers the restore."""

from pathlib import Path

from app.services import backups, vault_integrity, vaults
from app.ui.application import Shell
from app.ui.ops import Ops
from tests.conftest import PASSPHRASE
from tests.ui.modals import press_enter, restore_and_unlock


def _damage_last_page(root: Path) -> None:
    db = root / "archive.db"
    data = bytearray(db.read_bytes())
    data[-4096 + 200] ^= 0x40  # a page the unlock does not read
    db.write_bytes(bytes(data))


def test_the_unlock_does_not_read_every_page_and_the_check_after_it_does(populated_vault):
    root = populated_vault.root
    populated_vault.lock()
    _damage_last_page(root)
    vault = vaults.unlock(root, PASSPHRASE, "admin")
    try:
        assert vault_integrity.check_integrity(vault) != []
    finally:
        vault.lock()


def test_a_sound_archive_passes_the_check(populated_vault):
    assert vault_integrity.check_integrity(populated_vault) == []


def test_damage_found_after_unlock_locks_the_window_and_offers_the_restore(
    qtbot, populated_vault, tmp_path
):
    info = backups.backup(populated_vault, tmp_path / "usb")
    root = populated_vault.root
    populated_vault.lock()
    _damage_last_page(root)
    shell = Shell(root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.unlock_view.passphrase.setText(PASSPHRASE)
    press_enter(shell.unlock_view.passphrase)
    assert shell.vault is None and shell.workspace is None
    assert "备份" in shell.unlock_view.error.text()
    restore_and_unlock(shell, str(info.path), PASSPHRASE)
    assert shell.workspace is not None
    shell.lock()
