"""The unlock screen, and the recovery-code dialog that resets a forgotten passphrase."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import WrongPassphrase
from app.i18n import _
from app.ui.errors import message_for
from app.ui.form_parts import error_label
from app.ui.ops import Ops
from app.ui.passphrase_dialog import PassphraseDialog
from app.vault import keystore
from app.vault.vaultdir import read_slots


class UnlockView(QWidget):
    unlocked = Signal(object)  # OpenVault

    def __init__(
        self,
        vault_path: Path,
        runner: Ops,
        parent: QWidget | None = None,
        default_login: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("unlock_view")
        self.vault_path = Path(vault_path)
        self._runner = runner
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        card = QFrame(objectName="unlock_card")
        card.setMaximumWidth(440)
        card.setStyleSheet(
            "#unlock_card { background: palette(base); border: 1px solid #ccc; border-radius: 8px; }"
        )
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(28, 24, 28, 24)
        title = QLabel(_("XinDang · counseling-room archive"))
        title.setStyleSheet("font-size: 20px; font-weight: bold")
        layout.addWidget(title)
        path_label = QLabel(_("Vault: {path}").format(path=self.vault_path))
        path_label.setStyleSheet("color: #666")
        path_label.setWordWrap(True)
        layout.addWidget(path_label)
        form = QFormLayout()
        self.user = QComboBox(objectName="user_combo")
        self.passphrase = QLineEdit(objectName="unlock_passphrase_edit")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("User"), self.user)
        form.addRow(_("Passphrase"), self.passphrase)
        layout.addLayout(form)
        self.remember = QCheckBox(_("Remember me on this computer"), objectName="remember_check")
        usable, reason = keystore.keyring_status()
        if not usable:
            self.remember.setEnabled(False)
            self.remember.setToolTip(reason)
            self.remember.setText(
                _("Remember me on this computer (unavailable: {reason})").format(reason=reason)
            )
        layout.addWidget(self.remember)
        self.error = error_label("unlock_error_label")
        layout.addWidget(self.error)
        self.unlock_button = QPushButton(_("Unlock"), objectName="unlock_button")
        self.unlock_button.setDefault(True)
        layout.addWidget(self.unlock_button)
        self.recovery_button = QPushButton(
            _("Forgot the passphrase? Use the recovery code"), objectName="recovery_button"
        )
        self.recovery_button.setFlat(True)
        layout.addWidget(self.recovery_button)
        self.restore_button = QPushButton(_("Restore from a backup…"), objectName="restore_button")
        self.restore_button.setFlat(True)
        self.restore_button.clicked.connect(self.open_restore)
        layout.addWidget(self.restore_button)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.passphrase.returnPressed.connect(self.try_unlock)
        self.recovery_button.clicked.connect(self._recover)
        self.reload_users(default_login)

    def reload_users(self, default_login: str | None = None) -> None:
        self.user.clear()
        try:
            logins = read_slots(self.vault_path).logins()
        except Exception as exc:
            self.error.setText(message_for(exc))
            self.unlock_button.setEnabled(False)
            return
        self.user.addItems(logins)
        if default_login in logins:
            self.user.setCurrentText(default_login)
        self.passphrase.setFocus()

    def try_unlock(self) -> None:
        secret = self.passphrase.text()
        login = self.user.currentText() or None
        remember = self.remember.isChecked()
        self.passphrase.clear()
        self.error.setText(_("Unlocking…"))
        self.unlock_button.setEnabled(False)

        def work():
            from app.services import vaults  # the ORM loads here, after the window is up

            vault = vaults.unlock(self.vault_path, secret, login)
            if remember:
                from app.vault import vaultdir

                vaultdir.remember_on_this_computer(
                    self.vault_path, vault.unlocked_key(), vault.user.id
                )
            return vault

        self._runner.run(work, self._on_unlocked, self._on_failed)

    def _on_unlocked(self, vault) -> None:
        self.unlock_button.setEnabled(True)
        self.error.clear()
        self.unlocked.emit(vault)

    def _on_failed(self, exc: BaseException) -> None:
        from app.errors import VaultDamaged

        self.unlock_button.setEnabled(True)
        self.error.setText(message_for(exc) if not isinstance(exc, WrongPassphrase) else str(exc))
        damaged = isinstance(exc, VaultDamaged)
        self.restore_button.setFlat(not damaged)
        self.restore_button.setStyleSheet("font-weight: bold" if damaged else "")
        self.passphrase.setFocus()

    def open_restore(self) -> QDialog:
        from app.ui.keys_dialogs import RestoreDialog

        dialog = RestoreDialog(self.vault_path, self.user.currentText() or None, self)
        dialog.accepted.connect(
            lambda: self.error.setText(_("Restored from the backup. You can unlock now."))
        )
        dialog.open()
        return dialog

    def _recover(self) -> None:
        dialog = RecoveryDialog(self.vault_path, self.user.currentText(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.error.setText(_("The passphrase was reset. You can unlock with the new one now."))


class RecoveryDialog(PassphraseDialog):
    def __init__(self, vault_path: Path, login: str, parent: QWidget | None = None) -> None:
        super().__init__("recovery_dialog", _("Reset a passphrase with the recovery code"), parent)
        self.vault_path = vault_path
        self.code = QLineEdit(objectName="recovery_code_edit")
        self.code.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.login = QComboBox(objectName="recovery_user_combo")
        self.login.addItems(read_slots(vault_path).logins())
        self.login.setCurrentText(login)
        self.form.addRow(_("Recovery code"), self.code)
        self.form.addRow(_("User"), self.login)

    def work(self):
        path, code, login = self.vault_path, self.code.text(), self.login.currentText()
        new = self.passphrase.value()

        def reset(_progress):
            from app.services import vaults

            vaults.reset_passphrase_with_recovery(path, code, login, new)

        return reset
