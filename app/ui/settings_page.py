"""设置: language, auto-lock, and what this computer can offer (keyring)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import LANGUAGES, _
from app.services import private_notes, vaults
from app.services.permissions import ROLE_LABELS, allowed
from app.settings import DEFAULT_AUTO_LOCK_MINUTES, load_settings, save_settings
from app.ui.buttons import push_button
from app.ui.ops import current, wait
from app.vault import keystore


def _stored_settings(vault: vaults.OpenVault) -> dict:
    """What the page shows from the vault's settings, read in one go in the lane."""
    from app.services import backups

    wanted = {
        "auto_lock_minutes": DEFAULT_AUTO_LOCK_MINUTES,
        "allow_plain_export": False,
        private_notes.SETTING: False,
        "keep_scan_images": False,
        "backup_folder": "",
        "backup_every_days": backups.DEFAULT_EVERY_DAYS,
        "last_backup_at": None,
    }
    return {key: vaults.get_setting(vault, key, default) for key, default in wanted.items()}


class SettingsPage(QWidget):
    auto_lock_changed = Signal(int)

    def __init__(self, vault: vaults.OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_page")
        self.vault = vault
        self._stored = wait(lambda: _stored_settings(vault))
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
        self.auto_lock.setValue(int(self._stored["auto_lock_minutes"]))
        self.auto_lock.setEnabled(allowed(vault.user.role, "change_settings"))
        self.auto_lock.valueChanged.connect(self._auto_lock_changed)
        vform.addRow(_("Lock after idle"), self.auto_lock)
        from PySide6.QtWidgets import QCheckBox

        self.plain_export = QCheckBox(
            _("Allow saving printed documents without encryption"), objectName="plain_export_check"
        )
        self.plain_export.setChecked(bool(self._stored["allow_plain_export"]))
        self.plain_export.setEnabled(allowed(vault.user.role, "change_settings"))
        self.plain_export.toggled.connect(lambda on: self._store("allow_plain_export", on))
        vform.addRow("", self.plain_export)
        self.admin_notes = QCheckBox(
            _("Administrators may read private process notes written from now on"),
            objectName="admin_notes_check",
        )
        self.admin_notes.setChecked(bool(self._stored[private_notes.SETTING]))
        self.admin_notes.setEnabled(allowed(vault.user.role, "change_settings"))
        self.admin_notes.toggled.connect(lambda on: self._store(private_notes.SETTING, on))
        vform.addRow("", self.admin_notes)
        self.keep_scans = QCheckBox(
            _("Keep the scanned pages (encrypted in the vault) with each result"),
            objectName="keep_scans_check",
        )
        self.keep_scans.setChecked(bool(self._stored["keep_scan_images"]))
        self.keep_scans.setEnabled(allowed(vault.user.role, "change_settings"))
        self.keep_scans.toggled.connect(lambda on: self._store("keep_scan_images", on))
        vform.addRow("", self.keep_scans)
        layout.addWidget(vbox)

        if allowed(vault.user.role, "manage_users"):
            ubox = QGroupBox(_("Users"))
            ulayout = QVBoxLayout(ubox)
            self.users = QListWidget(objectName="user_list")
            ulayout.addWidget(self.users)
            self.users.setMaximumHeight(120)
            buttons = QHBoxLayout()
            add = QPushButton(_("Add user…"), objectName="add_user_button")
            add.clicked.connect(self._add_user)
            remove = QPushButton(_("Remove the selected user…"), objectName="remove_user_button")
            remove.clicked.connect(self.remove_selected_user)
            buttons.addWidget(add)
            buttons.addWidget(remove)
            ulayout.addLayout(buttons)
            layout.addWidget(ubox)
            self._reload_users()
            layout.addWidget(self._network_box())
            layout.addWidget(self._keys_box())
        if allowed(vault.user.role, "backup"):
            layout.addWidget(self._backup_box())
        layout.addStretch(1)

    def _backup_box(self) -> QGroupBox:
        """Where backups go (a USB drive, say), how often, and one right now."""

        from app.ui.form_parts import folder_row

        box = QGroupBox(_("Backups"))
        form = QFormLayout(box)
        row, self.backup_folder, browse = folder_row(
            self,
            "backup_folder_edit",
            "backup_browse_button",
            _("Backup folder"),
            self._backup_folder_changed,
        )
        self.backup_folder.setText(self._stored["backup_folder"] or "")
        self.backup_folder.editingFinished.connect(self._backup_folder_changed)
        form.addRow(_("Backup folder"), row)
        self.backup_every = QSpinBox(objectName="backup_every_spin")
        self.backup_every.setRange(1, 90)
        self.backup_every.setSuffix(" " + _("days"))
        self.backup_every.setValue(int(self._stored["backup_every_days"]))
        self.backup_every.valueChanged.connect(lambda n: self._store("backup_every_days", n))
        self.backup_every.setEnabled(allowed(self.vault.user.role, "change_settings"))
        self.backup_folder.setEnabled(allowed(self.vault.user.role, "change_settings"))
        browse.setEnabled(allowed(self.vault.user.role, "change_settings"))
        form.addRow(_("Back up automatically every"), self.backup_every)
        now = QPushButton(_("Back up now"), objectName="backup_now_button")
        now.clicked.connect(self.backup_now)
        self.backup_button = now
        self.backup_status = QLabel(objectName="backup_status", wordWrap=True)
        last = self._stored["last_backup_at"]
        if last:
            import datetime as dt

            local = dt.datetime.fromisoformat(last.rstrip("Z")).replace(tzinfo=dt.UTC).astimezone()
            self.backup_status.setText(
                _("Last verified backup: {when}").format(when=local.strftime("%Y-%m-%d %H:%M"))
            )
        else:
            self.backup_status.setText(_("No backup yet."))
        form.addRow(now, self.backup_status)
        return box

    def _store(self, key: str, value: object) -> None:
        """A setting written in the database lane: behind a running backup (tens of seconds at
        a large school) the window stays live, and the change is written after it."""
        from PySide6.QtWidgets import QMessageBox

        from app.ui.errors import message_for
        from app.ui.ops import current

        vault = self.vault

        def failed(exc: BaseException) -> None:
            QMessageBox.warning(self, _("Settings"), message_for(exc))

        current().run(lambda: vaults.set_setting(vault, key, value), lambda _v: None, failed)

    def _backup_folder_changed(self) -> None:
        self._store("backup_folder", self.backup_folder.text().strip() or None)

    def backup_now(self) -> None:
        """In the database lane with progress and 取消; the page stays usable meanwhile."""
        from pathlib import Path

        from app.services import backups
        from app.ui.errors import message_for

        folder = self.backup_folder.text().strip()
        if not folder:
            self.backup_status.setText(_("Choose a backup folder first."))
            return
        vault = self.vault
        self.backup_button.setEnabled(False)
        self.backup_status.setText(_("Backing up…"))

        def done(info) -> None:
            self.backup_button.setEnabled(True)
            self.backup_status.setText(
                _("Backup written and verified: {path}").format(path=info.path.name)
            )

        def failed(exc: BaseException) -> None:
            self.backup_button.setEnabled(True)
            self.backup_status.setText(message_for(exc))

        def cancelled() -> None:
            self.backup_button.setEnabled(True)
            self.backup_status.setText(_("The backup was cancelled; nothing was written."))

        current().long(
            _("Backing up…"),
            lambda progress: backups.backup(vault, Path(folder), progress=progress),
            done,
            failed,
            cancellable=True,
            on_cancelled=cancelled,
        )

    def _keys_box(self) -> QGroupBox:
        from PySide6.QtWidgets import QHBoxLayout

        box = QGroupBox(_("Keys"))
        row = QHBoxLayout(box)
        for name, label, slot in (
            ("change_passphrase_button", _("Change my passphrase…"), self.change_passphrase),
            ("new_recovery_button", _("New recovery code…"), self.new_recovery_code),
            ("rotate_key_button", _("Re-encrypt with a new key"), self.rotate_key),
            ("handover_button", _("Hand over to a new counselor…"), self.handover),
        ):
            b = push_button(label, name, slot)
            row.addWidget(b)
        self.keys_status = QLabel(objectName="keys_status", wordWrap=True)
        row.addWidget(self.keys_status, 1)
        return box

    def change_passphrase(self):
        from app.ui.keys_dialogs import ChangePassphraseDialog

        dialog = ChangePassphraseDialog(self.vault, self)
        dialog.accepted.connect(lambda: self.keys_status.setText(_("Passphrase changed.")))
        dialog.open()
        return dialog

    def _show_code(self, code: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(
            self,
            _("New recovery code"),
            _("Print this code and give it to the school leadership. The old one no longer works.")
            + f"\n\n{code}",
        )

    def new_recovery_code(self) -> str | None:
        from PySide6.QtWidgets import QMessageBox

        from app.services import keys

        if (
            QMessageBox.question(
                self,
                _("New recovery code"),
                _("Make a new recovery code? The old one (and its printed sheet) stops working."),
            )
            != QMessageBox.StandardButton.Yes
        ):
            return None
        code = wait(lambda: keys.regenerate_recovery_code(self.vault))
        self.keys_status.setText(_("A new recovery code was made; the old one no longer works."))
        self._show_code(code)
        return code

    def rotate_key(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from app.services import keys

        if (
            QMessageBox.question(
                self,
                _("Re-encrypt with a new key"),
                _(
                    "Re-encrypt the whole archive with a new key? Backups made before keep the "
                    "old key. The archive cannot be used until it is done."
                ),
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        from app.ui.errors import message_for

        vault = self.vault
        self.keys_status.setText(_("Re-encrypting…"))

        def done(_result) -> None:
            self.keys_status.setText(_("The database was re-encrypted with a new key."))

        current().long(
            _("Re-encrypting…"),
            lambda progress: keys.rotate_data_key(vault, progress),
            done,
            lambda exc: self.keys_status.setText(message_for(exc)),
            cancellable=True,
            on_cancelled=lambda: self.keys_status.setText(
                _("Re-encryption cancelled; nothing was changed.")
            ),
        )

    def handover(self):
        from app.ui.keys_dialogs import HandoverDialog

        dialog = HandoverDialog(self.vault, self)

        def done() -> None:
            self._reload_users()
            self.keys_status.setText(_("Handed over."))
            if dialog.result_code:
                self._show_code(dialog.result_code)

        dialog.accepted.connect(done)
        dialog.open()
        return dialog

    def _network_box(self) -> QGroupBox:
        """Principal and counselor for the school; head teacher and committee member per class."""
        from PySide6.QtWidgets import QHBoxLayout, QLineEdit

        from app.services import network, students

        box = QGroupBox(_("Four-level network"))
        row = QHBoxLayout(box)
        self.net_role = QComboBox(objectName="net_role_combo")
        for key in ("principal", "counselor", "head_teacher", "committee"):
            self.net_role.addItem(_(network.ROLE_LABELS[key]), key)
        self.net_class = QComboBox(objectName="net_class_combo")
        self.net_class.addItem(_("Whole school"), None)
        for g in wait(lambda: students.grades_and_classes(self.vault)):
            for c in g.classes:
                self.net_class.addItem(f"{g.name}{c.name}", c.id)
        self.net_name = QLineEdit(objectName="net_name_edit")
        self.net_name.setPlaceholderText(_("Name"))
        self.net_phone = QLineEdit(objectName="net_phone_edit")
        self.net_phone.setPlaceholderText(_("Phone"))
        save = QPushButton(_("Set"), objectName="net_set_button")
        save.clicked.connect(self.set_network_contact)
        self.net_status = QLabel(objectName="net_status")
        for w in (
            self.net_role,
            self.net_class,
            self.net_name,
            self.net_phone,
            save,
            self.net_status,
        ):
            row.addWidget(w)
        return box

    def set_network_contact(self) -> bool:
        from app.services import network
        from app.ui.errors import message_for

        try:
            role, name = self.net_role.currentData(), self.net_name.text()
            phone, class_id = self.net_phone.text().strip() or None, self.net_class.currentData()
            wait(lambda: network.set_contact(self.vault, role, name, phone, class_id=class_id))
        except Exception as exc:
            self.net_status.setText(message_for(exc))
            return False
        self.net_status.setText(_("Saved."))
        self.net_name.clear()
        self.net_phone.clear()
        return True

    def refresh(self) -> None:
        """Users changed elsewhere (the command line, another dialog)."""
        if hasattr(self, "users"):
            self._reload_users()

    def _reload_users(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QListWidgetItem

        self.users.clear()
        for u in wait(lambda: vaults.list_users(self.vault)):
            item = QListWidgetItem(f"{u.display_name}（{u.login}）· {_(ROLE_LABELS[u.role])}")
            item.setData(Qt.ItemDataRole.UserRole, u.login)
            self.users.addItem(item)

    def remove_selected_user(self) -> bool:
        """Their slots go; their records and audit entries stay. The last admin cannot go."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        from app.services import keys
        from app.ui.errors import message_for

        item = self.users.currentItem()
        if item is None:
            return False
        login = item.data(Qt.ItemDataRole.UserRole)
        if (
            QMessageBox.question(
                self,
                _("Users"),
                _("Remove {login}'s access? Their records stay.").format(login=login),
            )
            != QMessageBox.StandardButton.Yes
        ):
            return False
        try:
            wait(lambda: keys.remove_user(self.vault, login))
        except Exception as exc:
            QMessageBox.warning(self, _("Users"), message_for(exc))
            return False
        self._reload_users()
        return True

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
        self._store("auto_lock_minutes", minutes)
        self.auto_lock_changed.emit(minutes)
