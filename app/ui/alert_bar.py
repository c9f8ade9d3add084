"""The alert bar above every page: critical answers and new 一级/二级 warnings, until someone
acknowledges each one with a note. Not a modal: the counselor keeps working, but cannot miss it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.risk.levels import level
from app.services import alerts
from app.services.vaults import OpenVault
from app.ui.errors import message_for
from app.ui.ops import refresh_in_lane, wait
from app.ui.risk_dialogs import ask_reason

SHOWN = 50


class AlertBar(QFrame):
    student_requested = Signal(str)  # student id
    changed = Signal(int)  # how many alerts are waiting

    def __init__(self, vault: OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alert_bar")
        self.vault = vault
        self.setStyleSheet(
            "QFrame#alert_bar { background: #fdecea; border: 2px solid #c62828;"
            " border-radius: 6px; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        top = QHBoxLayout()
        self.title = QLabel(objectName="alert_title")
        self.title.setStyleSheet("color: #b00020; font-weight: bold; font-size: 15px")
        top.addWidget(self.title, 1)
        self.open_button = QPushButton(_("Open the archive"), objectName="alert_open_button")
        self.open_button.clicked.connect(lambda: self.open_current())
        top.addWidget(self.open_button)
        self.ack_button = QPushButton(
            _("Acknowledge and say what next…"), objectName="alert_ack_button"
        )
        self.ack_button.clicked.connect(lambda: self.acknowledge_current())
        top.addWidget(self.ack_button)
        layout.addLayout(top)
        self.list = QListWidget(objectName="alert_list")
        self.list.setMaximumHeight(120)
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(lambda _i: self.open_current())
        layout.addWidget(self.list)
        self.items: list[alerts.Alert] = []
        self.total = 0
        self.refresh()

    def refresh(self) -> None:
        """Read in the database lane (first in line at unlock), shown here; hidden while nothing
        waits, so it reads whether shown or not."""
        if self.vault.is_locked:
            return
        vault = self.vault
        # Counted in full, the newest shown: a risk signal is never left out of the count, and
        # the list stays readable after a school-wide screening (every one is in 预警).
        refresh_in_lane(
            self, lambda: alerts.pending_with_total(vault, SHOWN), self._show, hidden_too=True
        )

    def _show(self, data) -> None:
        current = self.current()
        self.items, self.total = data
        self.list.clear()
        for a in self.items:
            text = a.headline + "".join(f"\n    {d}" for d in a.details)
            item = QListWidgetItem(text)
            item.setBackground(QColor(level(a.level).background if a.level else "#ffcdd2"))
            self.list.addItem(item)
        if self.items:
            keep = next((i for i, a in enumerate(self.items) if current and a.id == current.id), 0)
            self.list.setCurrentRow(keep)
        title = _("Needs attention now: {n}").format(n=self.total) if self.items else ""
        if self.total > len(self.items):
            title += "  " + _("(the newest {shown} are listed; all are in 预警)").format(
                shown=len(self.items)
            )
        self.title.setText(title)
        self.setVisible(bool(self.items))
        self.changed.emit(self.total)

    def current(self) -> alerts.Alert | None:
        row = self.list.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def open_current(self) -> None:
        a = self.current()
        if a is not None:
            self.student_requested.emit(a.student_id)

    def acknowledge_current(self) -> bool:
        a = self.current()
        if a is None:
            return False
        note = ask_reason(
            self,
            _("Acknowledge the alert"),
            _("What will you do, and when? (kept with the warning)"),
            summary=a.headline + "".join(f"\n{d}" for d in a.details),
        )
        if note is None:
            return False
        try:
            wait(lambda: alerts.acknowledge(self.vault, a.kind, a.id, note))
        except Exception as exc:
            QMessageBox.warning(self, _("Warnings"), message_for(exc))
            return False
        self.refresh()
        return True
