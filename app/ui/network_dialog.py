"""Tell the four-level network about a warning and record each notification."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.i18n import _
from app.services import network
from app.services.network import NOTIFIED
from app.services.vaults import OpenVault
from app.ui.errors import message_for
from app.ui.form_parts import error_label
from app.ui.ops import wait
from app.ui.tables import setup_table


class NetworkDialog(QDialog):
    def __init__(self, vault: OpenVault, warning_id: str, student_id: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("network_dialog")
        self.setWindowTitle(_("Four-level network"))
        self.vault = vault
        self.warning_id = warning_id
        layout = QVBoxLayout(self)
        self.contacts = [  # a 心理委员 is a student: never told about a classmate
            c for c in wait(lambda: network.network_for(vault, student_id)) if c.role in NOTIFIED
        ]
        self.table = QTableWidget(len(self.contacts), 3, objectName="network_table")
        self.table.setHorizontalHeaderLabels([_("Role"), _("Name"), _("Phone")])
        setup_table(self.table)
        for r, c in enumerate(self.contacts):
            for col, v in enumerate((_(network.ROLE_LABELS[c.role]), c.name, c.phone or "")):
                self.table.setItem(r, col, QTableWidgetItem(v))
        layout.addWidget(self.table)
        if not self.contacts:
            layout.addWidget(
                QLabel(
                    _(
                        "No one is set up yet: add the principal, counselor and head teachers in Settings."
                    )
                )
            )
        row = QHBoxLayout()
        self.method = QComboBox(objectName="notify_method_combo")
        for key, label in network.METHODS.items():
            self.method.addItem(_(label), key)
        notify = QPushButton(_("Record as notified now"), objectName="notify_button")
        notify.clicked.connect(self.notify_selected)
        row.addWidget(self.method)
        row.addWidget(notify)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(QLabel(_("Notified so far")))
        self.history = QListWidget(objectName="notification_list")
        layout.addWidget(self.history)
        self.error = error_label()
        layout.addWidget(self.error)
        self.resize(620, 480)
        self.refresh()

    def refresh(self) -> None:
        self.history.clear()
        for n in wait(lambda: network.notifications(self.vault, self.warning_id)):
            self.history.addItem(
                f"{n.notified_at:%Y-%m-%d %H:%M}  {_(network.ROLE_LABELS[n.role])} {n.person_name} · "
                f"{_(network.METHODS[n.method])}"
            )

    def notify_selected(self) -> bool:
        row = self.table.currentRow()
        if not 0 <= row < len(self.contacts):
            self.error.setText(_("Choose a person first."))
            return False
        c = self.contacts[row]
        try:
            method = self.method.currentData()
            wait(lambda: network.notify(self.vault, self.warning_id, c.role, c.name, method))
        except Exception as exc:
            self.error.setText(message_for(exc))
            return False
        self.refresh()
        return True
