"""Dialogs for key management and restore: change passphrase, handover, restore from a backup."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import backups, keys, vaults
from app.ui.errors import message_for
from app.ui.form_parts import dialog_buttons, error_label, folder_row
from app.ui.ops import current, wait
from app.ui.passphrase_dialog import PassphraseDialog


class ChangePassphraseDialog(PassphraseDialog):
    def __init__(self, vault: vaults.OpenVault, parent: QWidget | None = None) -> None:
        super().__init__("change_passphrase_dialog", _("Change my passphrase"), parent)
        self.vault = vault
        self.old = QLineEdit(objectName="old_passphrase_edit")
        self.old.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(_("Current passphrase"), self.old)

    def work(self):
        vault, old, new = self.vault, self.old.text(), self.passphrase.value()
        self.old.clear()
        return lambda _progress: keys.change_passphrase(vault, old, new)


class HandoverDialog(PassphraseDialog):
    """The departing counselor's access ends; the new one gets it; the key is rotated."""

    def __init__(self, vault: vaults.OpenVault, parent: QWidget | None = None) -> None:
        super().__init__("handover_dialog", _("Hand the archive to a new counselor"), parent)
        self.vault = vault
        self.result_code: str | None = None
        self.departing = QComboBox(objectName="departing_combo")
        for u in wait(lambda: vaults.list_users(vault)):
            if u.login != vault.user.login:
                self.departing.addItem(f"{u.display_name}（{u.login}）", u.login)
        self.login = QLineEdit(objectName="new_login_edit")
        self.name = QLineEdit(objectName="new_name_edit")
        self.form.addRow(_("Departing user"), self.departing)
        self.form.addRow(_("New counselor's user name"), self.login)
        self.form.addRow(_("New counselor's name"), self.name)

    busy_text = _("Handing over and re-encrypting…")

    def work(self):
        vault = self.vault
        args = {
            "departing_login": self.departing.currentData(),
            "new_login": self.login.text().strip(),
            "new_name": self.name.text().strip() or self.login.text().strip(),
            "new_passphrase": self.passphrase.value(),
        }

        return lambda progress: keys.handover(vault, progress=progress, **args)

    def finished_with(self, result) -> None:
        self.result_code = result.recovery_code


class RestoreDialog(QDialog):
    """Restore a verified backup over a damaged (or any) vault; the old files are kept aside."""

    def __init__(self, vault_path: Path, login: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restore_dialog")
        self.setWindowTitle(_("Restore from a backup"))
        self.setMinimumWidth(620)
        self.vault_path = Path(vault_path)
        self.login = login
        layout = QVBoxLayout(self)
        form = QFormLayout()
        row, self.folder, _browse = folder_row(
            self, "backup_path_edit", "browse_backup_button", _("Backup folder")
        )
        form.addRow(_("Backup folder"), row)
        self.secret = QLineEdit(objectName="restore_secret_edit")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Passphrase or recovery code"), self.secret)
        layout.addLayout(form)
        self.other = QCheckBox(
            _("This is a backup of a different archive; replace it anyway"),
            objectName="other_vault_check",
        )
        self.other.setVisible(False)
        layout.addWidget(self.other)
        self.error = error_label("restore_error")
        layout.addWidget(self.error)
        self.buttons = dialog_buttons(self, self._accept)
        layout.addWidget(self.buttons)
        self.running = False

    def _accept(self) -> None:
        if self.running:
            return
        folder, secret = Path(self.folder.text().strip()), self.secret.text()
        other = self.other.isChecked()
        self.running = True
        self.buttons.setEnabled(False)
        self.error.setText(_("Restoring…"))
        current().long(
            _("Restoring…"),
            lambda _progress: backups.restore(
                folder, self.vault_path, secret, self.login, other_vault=other
            ),
            self._restored,
            self._failed,
        )

    def _restored(self, _aside) -> None:
        self.running = False
        self.buttons.setEnabled(True)
        self.secret.clear()
        self.error.setText("")
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.buttons.setEnabled(True)
        if isinstance(exc, backups.RestoreRefused):
            self.other.setVisible(True)
        self.error.setText(message_for(exc))

    def reject(self) -> None:
        if not self.running:
            super().reject()
