"""设置: language, auto-lock, and what this computer can offer (keyring)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import LANGUAGES, _
from app.services import vaults
from app.services.permissions import ROLE_LABELS, allowed
from app.settings import DEFAULT_AUTO_LOCK_MINUTES, load_settings, save_settings
from app.vault import keystore


class SettingsPage(QWidget):
    auto_lock_changed = Signal(int)

    def __init__(self, vault: vaults.OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_page")
        self.vault = vault
        layout = QVBoxLayout(self)
        box = QGroupBox(_("This computer"))
        form = QFormLayout(box)
        self.language = QComboBox(objectName="language_combo")
        for code, label in LANGUAGES.items():
            self.language.addItem(label, code)
        self.language.setCurrentIndex(self.language.findData(load_settings().language))
        self.language.currentIndexChanged.connect(self._language_changed)
        form.addRow(_("Language"), self.language)
        self.language_note = QLabel("")
        form.addRow("", self.language_note)
        usable, reason = keystore.keyring_status()
        form.addRow(_("OS key store"), QLabel(_("available") if usable else reason))
        layout.addWidget(box)

        vbox = QGroupBox(_("This vault"))
        vform = QFormLayout(vbox)
        self.auto_lock = QSpinBox(objectName="auto_lock_spin")
        self.auto_lock.setRange(1, 60)
        self.auto_lock.setSuffix(" " + _("minutes"))
        self.auto_lock.setValue(
            int(vaults.get_setting(vault, "auto_lock_minutes", DEFAULT_AUTO_LOCK_MINUTES))
        )
        self.auto_lock.setEnabled(allowed(vault.user.role, "change_settings"))
        self.auto_lock.valueChanged.connect(self._auto_lock_changed)
        vform.addRow(_("Lock after idle"), self.auto_lock)
        layout.addWidget(vbox)

        if allowed(vault.user.role, "manage_users"):
            ubox = QGroupBox(_("Users"))
            ulayout = QVBoxLayout(ubox)
            self.users = QListWidget(objectName="user_list")
            ulayout.addWidget(self.users)
            add = QPushButton(_("Add user…"), objectName="add_user_button")
            add.clicked.connect(self._add_user)
            ulayout.addWidget(add)
            layout.addWidget(ubox)
            self._reload_users()
        layout.addStretch(1)

    def _reload_users(self) -> None:
        self.users.clear()
        for u in vaults.list_users(self.vault):
            self.users.addItem(f"{u.display_name}（{u.login}）· {_(ROLE_LABELS[u.role])}")

    def _add_user(self) -> None:
        from app.ui.user_dialog import AddUserDialog

        dialog = AddUserDialog(self.vault, self)
        if dialog.exec():
            self._reload_users()

    def _language_changed(self) -> None:
        settings = load_settings()
        settings.language = self.language.currentData()
        save_settings(settings)
        self.language_note.setText(_("The new language applies after restarting XinDang."))

    def _auto_lock_changed(self, minutes: int) -> None:
        vaults.set_setting(self.vault, "auto_lock_minutes", minutes)
        self.auto_lock_changed.emit(minutes)
