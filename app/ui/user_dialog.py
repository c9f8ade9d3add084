"""Add a user: their own login, role and passphrase (a new key slot)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit

from app.i18n import _
from app.services import vaults
from app.services.permissions import ROLE_LABELS
from app.ui.passphrase_dialog import PassphraseDialog


class AddUserDialog(PassphraseDialog):
    def __init__(self, vault: vaults.OpenVault, parent=None) -> None:
        super().__init__("add_user_dialog", _("Add user"), parent)
        self.vault = vault
        self.added: vaults.UserInfo | None = None
        self.login = QLineEdit(objectName="new_login_edit")
        self.display = QLineEdit(objectName="new_display_edit")
        self.role = QComboBox(objectName="new_role_combo")
        for code, label in ROLE_LABELS.items():
            self.role.addItem(_(label), code)
        self.role.setCurrentIndex(self.role.findData("counselor"))
        self.form.addRow(_("User name"), self.login)
        self.form.addRow(_("Display name"), self.display)
        self.form.addRow(_("Role"), self.role)

    def work(self):
        vault, login = self.vault, self.login.text().strip()
        args = {
            "login": login,
            "display_name": self.display.text().strip() or login,
            "role": self.role.currentData(),
            "passphrase": self.passphrase.value(),
        }
        return lambda _progress: vaults.add_user(vault, **args)

    def finished_with(self, result) -> None:
        self.added = result
