"""预警: the open warnings by level, their review and follow-up plan, and overdue tasks first."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import warnings
from app.services.permissions import allowed
from app.services.vaults import OpenVault
from app.ui.errors import message_for

COLORS = {"red": "#ffcdd2", "orange": "#ffe0b2", "yellow": "#fff9c4", "watch": "#e3f2fd"}
STATUS = {"raised": "Awaiting review", "confirmed": "Confirmed"}


def level_text(level: str) -> str:
    return {
        "red": _("Level 1 (red)"),
        "orange": _("Level 2 (orange)"),
        "yellow": _("Level 3 (yellow)"),
        "watch": _("Watch"),
    }[level]


class WarningsPage(QWidget):
    def __init__(self, vault: OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("warnings_page")
        self.vault = vault
        layout = QVBoxLayout(self)
        self.overdue_box = QGroupBox(_("Overdue follow-up tasks"), objectName="overdue_group")
        self.overdue_box.setStyleSheet("QGroupBox { color: #b00020; font-weight: bold; }")
        ol = QHBoxLayout(self.overdue_box)
        self.overdue = QListWidget(objectName="overdue_list")
        self.overdue.setMaximumHeight(110)
        ol.addWidget(self.overdue, 1)
        done = QPushButton(_("Mark done"), objectName="task_done_button")
        done.clicked.connect(self._task_done)
        ol.addWidget(done)
        layout.addWidget(self.overdue_box)

        bar = QHBoxLayout()
        self.summary = QLabel(objectName="warning_summary")
        bar.addWidget(self.summary, 1)
        self.evaluate_button = QPushButton(
            _("Evaluate the rules now"), objectName="evaluate_button"
        )
        self.evaluate_button.clicked.connect(self.evaluate)
        self.evaluate_button.setEnabled(allowed(vault.user.role, "edit_student"))
        bar.addWidget(self.evaluate_button)
        layout.addLayout(bar)

        self.table = QTableWidget(0, 5, objectName="warning_table")
        self.table.setHorizontalHeaderLabels(
            [_("Level"), _("Student"), _("Class"), _("Rule"), _("Status")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)

        actions = QHBoxLayout()
        for name, label, slot in (
            ("confirm_button", _("Confirm after interview…"), lambda: self.review(True)),
            ("dismiss_button", _("Dismiss with a reason…"), lambda: self.review(False)),
            ("task_button", _("Add follow-up task…"), self.add_task),
            ("resolve_button", _("Resolve…"), self.resolve),
            ("network_button", _("Notify the network…"), self.open_network),
            ("crisis_button", _("Start crisis intervention…"), self.start_crisis),
            ("slips_button", _("Print slips…"), self.print_slips),
        ):
            b = QPushButton(label, objectName=name)
            b.clicked.connect(slot)
            actions.addWidget(b)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.rows: list[warnings.WarningRow] = []
        self.refresh()

    def refresh(self) -> None:
        self.overdue.clear()
        for t in warnings.overdue_tasks(self.vault):
            item = QListWidgetItem(f"{t.due_on:%m-%d}  {t.student_name}  {t.title}")
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            self.overdue.addItem(item)
        self.overdue_box.setVisible(self.overdue.count() > 0)
        self.rows = warnings.queue(self.vault)
        counts = {lvl: sum(1 for r in self.rows if r.level == lvl) for lvl in COLORS}
        self.summary.setText("   ".join(f"{level_text(k)}: {v}" for k, v in counts.items()))
        rules = self._rule_labels()
        self.table.setRowCount(len(self.rows))
        for r, w in enumerate(self.rows):
            values = (
                level_text(w.level),
                w.student_name,
                w.class_label,
                rules.get(w.rule_id, w.rule_id),
                _(STATUS.get(w.status, w.status)),
            )
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setBackground(QBrush(QColor(COLORS[w.level])))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)

    def _rule_labels(self) -> dict[str, str]:
        from app.scales.definition import text_of

        with self.vault.session() as s:
            _v, rules = warnings.active_rule_set(s)
        return {r["id"]: text_of(r["label"]) for r in rules["rules"]}

    def current(self) -> warnings.WarningRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _run(self, action) -> bool:
        try:
            action()
        except Exception as exc:
            QMessageBox.warning(self, _("Warnings"), message_for(exc))
            return False
        self.refresh()
        return True

    def review(self, confirmed: bool, note: str | None = None) -> bool:
        w = self.current()
        if w is None:
            return False
        if note is None:
            prompt = (
                _("What did the interview show?")
                if confirmed
                else _("Why is this warning dismissed?")
            )
            note, ok = QInputDialog.getMultiLineText(self, _("Warnings"), prompt)
            if not ok:
                return False
        return self._run(lambda: warnings.review(self.vault, w.id, confirmed=confirmed, note=note))

    def add_task(self, title: str | None = None, due: dt.date | None = None) -> bool:
        w = self.current()
        if w is None:
            return False
        if title is None:
            from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout

            dialog = QDialog(self)
            dialog.setWindowTitle(_("Add follow-up task"))
            form = QFormLayout(dialog)
            title_edit = QLineEdit()
            due_edit = QDateEdit(QDate.currentDate().addDays(7))
            due_edit.setCalendarPopup(True)
            form.addRow(_("Task"), title_edit)
            form.addRow(_("Due"), due_edit)
            buttons = QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            )
            buttons.accepted.connect(dialog.accept)
            buttons.rejected.connect(dialog.reject)
            form.addRow(buttons)
            if not dialog.exec():
                return False
            title, due = title_edit.text(), due_edit.date().toPython()
        return self._run(lambda: warnings.add_task(self.vault, w.id, title, due))

    def resolve(self, note: str | None = None) -> bool:
        w = self.current()
        if w is None:
            return False
        if note is None:
            note, ok = QInputDialog.getMultiLineText(self, _("Warnings"), _("How was it resolved?"))
            if not ok:
                return False
        return self._run(lambda: warnings.resolve(self.vault, w.id, note))

    def open_network(self):
        from app.ui.network_dialog import NetworkDialog

        w = self.current()
        if w is None:
            return None
        dialog = NetworkDialog(self.vault, w.id, w.student_id, self)
        dialog.open()
        return dialog

    def start_crisis(self):
        """From the selected warning to the crisis checklist in one step."""
        from app.services import crisis, records
        from app.ui.record_form import RecordForm

        w = self.current()
        if w is None:
            return None
        record = crisis.start_crisis(self.vault, w.student_id, trigger="warning", warning_id=w.id)
        form = RecordForm(
            self.vault, "crisis", record=records.get_record(self.vault, record.id), parent=self
        )
        form.open()
        return form

    def print_slips(self, role: str | None = None):
        """Slips for every open warning, worded for one role of the network."""
        from app.reports.documents import ROLE_TITLES
        from app.services import printing
        from app.ui.print_preview import show_document

        if not self.rows:
            return None
        if role is None:
            roles = list(ROLE_TITLES)
            label, ok = QInputDialog.getItem(
                self, _("Print slips"), _("For whom?"), [ROLE_TITLES[r] for r in roles], 1, False
            )
            if not ok:
                return None
            role = roles[[ROLE_TITLES[r] for r in roles].index(label)]
        made = printing.slips(self.vault, [w.id for w in self.rows], role)
        return show_document(self, self.vault, made, _("Slips"))

    def _task_done(self) -> None:
        item = self.overdue.currentItem() or self.overdue.item(0)
        if item is not None:
            self._run(
                lambda: warnings.complete_task(self.vault, item.data(Qt.ItemDataRole.UserRole))
            )

    def evaluate(self) -> warnings.EvaluationReport | None:
        report = None

        def run():
            nonlocal report
            report = warnings.evaluate_all(self.vault)

        if self._run(run):
            self.summary.setText(
                self.summary.text()
                + "   "
                + _("New: {raised}, escalated: {escalated}").format(
                    raised=report.raised, escalated=report.escalated
                )
            )
        return report
