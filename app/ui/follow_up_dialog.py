"""筛查后续跟进: a plan's positive screens not yet seen (days since the result), students not
screened — absent, refused or opted out, not yet — and sheets to take again; every row opens the
student (Enter or a double-click), and a not-yet student is marked absent or refused here."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import screening_follow_up as follow
from app.services.permissions import allowed
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.errors import message_for
from app.ui.ops import wait
from app.ui.tables import setup_table


def _table(name: str, rows, with_days: bool = False) -> QTableWidget:
    heads = [_("Student"), _("Class"), _("Student number (学籍号)"), _("What")]
    if with_days:
        heads.append(_("Days since the result"))
    table = QTableWidget(len(rows), len(heads), objectName=name)
    table.setHorizontalHeaderLabels(heads)
    setup_table(table, stretch=3)
    for r, row in enumerate(rows):
        values = [row.name, row.class_label, row.student_no, row.what]
        if with_days:
            values.append(str(row.days))
        for c, v in enumerate(values):
            item = QTableWidgetItem(v)
            item.setData(Qt.ItemDataRole.UserRole, row.student_id)
            table.setItem(r, c, item)
    return table


class FollowUpDialog(QDialog):
    student_requested = Signal(str)

    def __init__(self, vault: OpenVault, plan_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("follow_up_dialog")
        self.vault, self.plan_id = vault, plan_id
        self.layout_ = QVBoxLayout(self)
        self.head = QLabel(objectName="follow_up_summary", wordWrap=True)
        self.layout_.addWidget(self.head)
        self.tabs = QTabWidget(objectName="follow_up_tabs")
        self.layout_.addWidget(self.tabs, 1)
        row = QHBoxLayout()
        can = allowed(vault.user.role, "edit_student")
        for name, label, state in (
            ("mark_absent_button", _("Mark absent…"), "absent"),
            ("mark_refused_button", _("Mark refused…"), "refused"),
            ("mark_opted_out_button", _("Mark opted out by the parent…"), "opted_out"),
            ("mark_clear_button", _("Clear the mark"), None),
        ):
            b = push_button(label, name, lambda s=state: self.mark(s))
            b.setEnabled(can)
            row.addWidget(b)
        row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row.addWidget(buttons)
        self.layout_.addLayout(row)
        self.resize(860, 520)
        self.reload()

    def reload(self) -> None:
        vault, plan_id = self.vault, self.plan_id
        f = wait(lambda: follow.follow_up(vault, plan_id))
        self.setWindowTitle(_("Follow-up of {plan}").format(plan=f.plan_name))
        state = _("closed") if f.closed else _("still open")
        self.head.setText(
            _("Screened {done} of {expected} ({state}).").format(
                done=f.screened, expected=f.expected, state=state
            )
        )
        current = self.tabs.currentIndex()
        self.tabs.clear()
        unscreened = [*f.absent, *f.refused, *f.not_yet]
        for table, label in (
            (_table("positives_table", f.positives, True), _("Positive, not yet seen")),
            (_table("unscreened_table", unscreened), _("Not screened")),
            (_table("rescreen_table", f.rescreen), _("To take again")),
        ):
            table.cellActivated.connect(
                lambda r, _c, t=table: self.student_requested.emit(
                    t.item(r, 0).data(Qt.ItemDataRole.UserRole)
                )
            )
            self.tabs.addTab(table, f"{label}（{table.rowCount()}）")
        self.unscreened = self.tabs.widget(1)
        self.tabs.setCurrentIndex(max(0, current))
        self.counts = {
            "absent": len(f.absent),
            "refused": len(f.refused),
            "not_yet": len(f.not_yet),
        }

    def mark(self, state: str | None) -> bool:
        """The chosen student not screened, marked (a reason may be typed: 病假 …)."""
        table = self.unscreened
        row = table.currentRow()
        if row < 0:
            self.tabs.setCurrentIndex(1)
            QMessageBox.information(
                self, self.windowTitle(), _("Choose a student on the Not screened tab first.")
            )
            return False
        student_id = table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        if not mark_participant(self, self.vault, self.plan_id, student_id, state):
            return False
        self.reload()
        return True


def mark_participant(
    parent: QWidget, vault: OpenVault, plan_id: str, student_id: str, state: str | None
) -> bool:
    """Absent / refused / opted out (asking for an optional note), or cleared for None; a
    refusal is said in a message. Used by the follow-up and the plan's student list."""
    note = ""
    if state is not None:
        note, ok = QInputDialog.getText(
            parent, _(follow.STATES[state]), _("Reason or note (optional)")
        )
        if not ok:
            return False
    try:
        wait(lambda: follow.mark(vault, plan_id, student_id, state, note))
    except Exception as exc:
        QMessageBox.warning(parent, parent.windowTitle(), message_for(exc))
        return False
    return True
