"""One plan's students, each with one state (done, to re-test, absent, refused, opted out by the
parent, not yet) in class and 学号 order; mark the chosen ones, print the list of those not done.
Per-student consent lives here: 家长退出 is recorded per student with who recorded it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import double_entry, plans
from app.services.permissions import allowed
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.follow_up_dialog import mark_participant
from app.ui.ops import wait
from app.ui.tables import setup_table

SHADES = {"retest": "#fff3e0", "absent": "#eceff1", "refused": "#eceff1", "opted_out": "#eceff1"}


class PlanParticipationDialog(QDialog):
    def __init__(self, vault: OpenVault, plan_id: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("plan_completion_dialog")
        self.setWindowTitle(title)
        self.vault, self.plan_id = vault, plan_id
        layout = QVBoxLayout(self)
        self.summary = QLabel(objectName="plan_completion_label", wordWrap=True)
        layout.addWidget(self.summary)
        self.counts = QLabel(objectName="plan_state_counts", wordWrap=True)
        layout.addWidget(self.counts)
        self.agreement = QLabel(objectName="plan_agreement_label", wordWrap=True)
        layout.addWidget(self.agreement)
        self.show_done = QCheckBox(_("Show students who are done"), objectName="show_done_check")
        self.show_done.toggled.connect(self.reload)
        layout.addWidget(self.show_done)
        self.table = QTableWidget(0, 6, objectName="plan_completion_table")
        self.table.setHorizontalHeaderLabels(
            [
                _("Class"),
                _("Student number"),
                _("Student"),
                _("Status"),
                _("Scales"),
                _("Recorded by"),
            ]
        )
        setup_table(self.table)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        can_edit = allowed(vault.user.role, "edit_student")
        for name, label, state in (
            ("plan_absent_button", _("Absent…"), "absent"),
            ("plan_refused_button", _("Refused…"), "refused"),
            ("plan_opted_out_button", _("Opted out by the parent…"), "opted_out"),
            ("plan_clear_button", _("Clear the mark"), None),
        ):
            b = push_button(label, name, lambda s=state: self.mark(s))
            b.setEnabled(can_edit)
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(push_button(_("Print the list…"), "print_missing_button", self.print_list))
        row.addWidget(push_button(_("Close"), "plan_close_button", self.reject))
        layout.addLayout(row)
        self.reload()
        self.resize(860, 520)

    def reload(self) -> None:
        vault, plan_id = self.vault, self.plan_id

        def load():
            rows = plans.participation(vault, plan_id)
            figure = (
                double_entry.agreement(vault, plan_id)
                if allowed(vault.user.role, "edit_student")
                else None
            )
            return rows, figure

        rows, figure = wait(load)
        done = sum(1 for r in rows if r.state == "done")
        counts = {s: sum(1 for r in rows if r.state == s) for s in plans.PARTICIPATION_STATES}
        self.summary.setText(
            _("Completed: {done} of {expected}").format(done=done, expected=len(rows))
        )
        self.counts.setText(
            "　".join(
                f"{_(plans.STATE_LABELS[s])} {n}" for s, n in counts.items() if n and s != "done"
            )
        )
        self.agreement.setVisible(bool(figure and figure.sheets))
        if figure and figure.sheets:
            self.agreement.setText(
                _(
                    "Double entry agreement: {rate:.1f} % ({d} of {n} items differed "
                    "between the passes; {o} sheets not yet in the archive)."
                ).format(rate=figure.rate, d=figure.differing, n=figure.items, o=figure.open_sheets)
            )
        shown = [r for r in rows if self.show_done.isChecked() or r.state != "done"]
        self.table.setRowCount(len(shown))
        for i, r in enumerate(shown):
            state = _(plans.STATE_LABELS[r.state]) + (f"（{r.note}）" if r.note else "")
            values = (
                r.class_label,
                r.student_no,
                r.name,
                state,
                "、".join(r.scales),
                r.recorded_by,
            )
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, r.student_id)
                if r.state in SHADES:
                    item.setBackground(QBrush(QColor(SHADES[r.state])))
                self.table.setItem(i, c, item)

    def mark(self, state: str | None) -> bool:
        row = self.table.currentRow()
        if row < 0:
            QMessageBox.information(self, self.windowTitle(), _("Choose a student first."))
            return False
        student_id = self.table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        if not mark_participant(self, self.vault, self.plan_id, student_id, state):
            return False
        self.reload()
        self.table.setCurrentCell(min(row, self.table.rowCount() - 1), 0)
        return True

    def print_list(self):
        from app.services import printing
        from app.ui.print_preview import show_document

        return show_document(
            self,
            self.vault,
            lambda: printing.missing_list(self.vault, self.plan_id),
            _("Students not done"),
        )
