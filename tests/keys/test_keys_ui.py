"""Backups, keys and restore through the real widgets."""

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QPushButton

from app.services import backups, vaults
from app.ui.application import Shell
from app.ui.ops import Ops
from app.ui.settings_page import SettingsPage
from tests.conftest import PASSPHRASE
from tests.ui.modals import (
    answer_modals,
    click,
    no,
    press_enter,
    restore_and_unlock,
    type_text,
    yes,
)


def test_back_up_now_from_settings(qtbot, populated_vault, tmp_path):
    page = SettingsPage(populated_vault)
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    assert QTest.qWaitForWindowActive(page)
    page.backup_folder.setFocus()
    type_text(page.backup_folder, str(tmp_path / "usb"))
    QTest.keyClick(page.backup_folder, Qt.Key.Key_Return)  # the folder is kept on Enter
    QTest.mouseClick(page.findChild(QPushButton, "backup_now_button"), Qt.MouseButton.LeftButton)
    assert page.backup_status.text().startswith("备份已写入并验证")
    assert len(backups.list_backups(tmp_path / "usb")) == 1


def test_a_new_recovery_code_and_a_rotation_from_settings(qtbot, populated_vault, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    page = SettingsPage(populated_vault)
    qtbot.addWidget(page)
    page.show()
    answer_modals(yes)
    QTest.mouseClick(page.findChild(QPushButton, "new_recovery_button"), Qt.MouseButton.LeftButton)
    assert page.keys_status.text() == "已生成新的恢复码，旧恢复码已失效。"
    assert re.search(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){7}", shown[0])
    seen = answer_modals(no)
    QTest.mouseClick(page.findChild(QPushButton, "rotate_key_button"), Qt.MouseButton.LeftButton)
    assert seen == ["用新密钥重新加密"] and page.keys_status.text() != "数据库已用新密钥重新加密。"
    answer_modals(yes)
    QTest.mouseClick(page.findChild(QPushButton, "rotate_key_button"), Qt.MouseButton.LeftButton)
    assert page.keys_status.text() == "数据库已用新密钥重新加密。"


def test_a_damaged_vault_offers_restore_and_restores(qtbot, populated_vault, tmp_path):
    info = backups.backup(populated_vault, tmp_path / "usb")
    root = populated_vault.root
    populated_vault.lock()
    data = bytearray((root / "archive.db").read_bytes())
    data[4096 * 3 + 50] ^= 0x40
    (root / "archive.db").write_bytes(bytes(data))
    shell = Shell(root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.unlock_view.passphrase.setText(PASSPHRASE)
    press_enter(shell.unlock_view.passphrase)
    assert "备份" in shell.unlock_view.error.text()
    restore_and_unlock(shell, str(info.path), PASSPHRASE)
    assert shell.workspace is not None
    assert any(p.name.startswith("before-restore-") for p in Path(root).iterdir())
    shell.lock()


def test_a_due_backup_runs_at_unlock_when_the_folder_is_present(qtbot, populated_vault, tmp_path):
    (tmp_path / "usb").mkdir()
    vaults.set_setting(populated_vault, "backup_folder", str(tmp_path / "usb"))
    root = populated_vault.root
    populated_vault.lock()
    shell = Shell(root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.unlock_view.passphrase.setText(PASSPHRASE)
    press_enter(shell.unlock_view.passphrase)
    assert len(backups.list_backups(tmp_path / "usb")) == 1
    shell.lock()


def test_removing_a_user_from_settings_ends_their_access(qtbot, populated_vault):
    import pytest

    from app.errors import UnknownUser

    vaults.add_user(
        populated_vault,
        login="li",
        display_name="李老师",
        role="counselor",
        passphrase="李老师的口令2026",
    )
    page = SettingsPage(populated_vault)
    qtbot.addWidget(page)
    page.users.setCurrentRow(1)
    seen = answer_modals(yes)
    click(page.findChild(QPushButton, "remove_user_button"))
    assert seen == ["用户"]
    assert page.users.count() == 1
    with pytest.raises(UnknownUser):
        vaults.unlock(populated_vault.root, "李老师的口令2026", "li", sleep=lambda _s: None)
