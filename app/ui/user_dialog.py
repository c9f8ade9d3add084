"""Add a user: their own login, role and passphrase (a new key slot)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
)

from app.i18n import _
from app.services import vaults
from app.services.permissions import ROLE_LABELS
from app.ui.errors import message_for
from app.ui.form_parts import dialog_buttons, error_label
from app.ui.passphrase_field import PassphraseFields


class AddUserDialog(QDialog):
    def __init__(self, vault: vaults.OpenVault, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("add_user_dialog")
        self.setWindowTitle(_("Add user"))
        self.vault = vault
        self.added: vaults.UserInfo | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.login = QLineEdit(objectName="new_login_edit")
        self.display = QLineEdit(objectName="new_display_edit")
        self.role = QComboBox(objectName="new_role_combo")
        for code, label in ROLE_LABELS.items():
            self.role.addItem(_(label), code)
        self.role.setCurrentIndex(self.role.findData("counselor"))
        form.addRow(_("User name"), self.login)
        form.addRow(_("Display name"), self.display)
        form.addRow(_("Role"), self.role)
        layout.addLayout(form)
        self.passphrase = PassphraseFields()
        layout.addWidget(self.passphrase)
        self.error = error_label("add_user_error")
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, self._accept))

    def _accept(self) -> None:
        problem = self.passphrase.problem()
        if problem:
            self.error.setText(problem)
            return
        try:
            self.added = vaults.add_user(
                self.vault,
                login=self.login.text().strip(),
                display_name=self.display.text().strip() or self.login.text().strip(),
                role=self.role.currentData(),
                passphrase=self.passphrase.value(),
            )
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        self.passphrase.clear()
        self.accept()
