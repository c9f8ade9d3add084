"""心理委员: each class's members with their terms, the classes whose members have not reported
within the rhythm, and a member's report entered as it was given (about which classmate, what
was noticed, how urgent) — or "nothing unusual this week"."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.records.choices import OBSERVED_SIGNS, URGENCY
from app.services import committee, students
from app.services.permissions import allowed
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.errors import message_for
from app.ui.form_parts import error_label
from app.ui.ops import wait
from app.ui.student_picker import StudentPicker
from app.ui.tables import setup_table


class ReportDialog(QDialog):
    """One member's report about one classmate."""

    def __init__(self, vault: OpenVault, member: committee.Member, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("committee_report_dialog")
        self.setWindowTitle(_("Report from {name}").format(name=member.name))
        self.vault, self.member = vault, member
        form = QFormLayout(self)
        self.about = QComboBox(objectName="report_about_combo")
        flt = students.StudentFilter(class_id=member.class_id, status="enrolled")
        for r in wait(lambda: students.search_students(vault, flt, sort="name")):
            if r.id != member.student_id:
                self.about.addItem(r.name, r.id)
        form.addRow(_("About"), self.about)
        signs = QWidget()
        grid = QHBoxLayout(signs)
        grid.setContentsMargins(0, 0, 0, 0)
        self.signs: dict[str, QCheckBox] = {}
        for key, label in OBSERVED_SIGNS.items():
            box = QCheckBox(_(label), objectName=f"sign_{key}")
            self.signs[key] = box
            grid.addWidget(box)
        form.addRow(_("What was noticed"), signs)
        self.content = QPlainTextEdit(objectName="report_content_edit")
        self.content.setTabChangesFocus(True)
        form.addRow(_("In the member's words"), self.content)
        self.urgency = QComboBox(objectName="report_urgency_combo")
        for key, label in URGENCY.items():
            self.urgency.addItem(_(label), key)
        form.addRow(_("Urgency"), self.urgency)
        self.error = error_label("report_error")
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def save(self) -> None:
        vault, member = self.vault, self.member
        about = self.about.currentData()
        signs = [k for k, box in self.signs.items() if box.isChecked()]
        words, urgency = self.content.toPlainText(), self.urgency.currentData()
        try:
            wait(
                lambda: committee.report(
                    vault, member.id, about, content=words, signs=signs, urgency=urgency
                )
            )
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        self.accept()


class CommitteeDialog(QDialog):
    def __init__(self, vault: OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("committee_dialog")
        self.setWindowTitle(_("Class mental-health committee members"))
        self.vault = vault
        can = allowed(vault.user.role, "edit_student")
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 3, objectName="committee_table")
        self.table.setHorizontalHeaderLabels([_("Class"), _("Member"), _("Term")])
        setup_table(self.table, stretch=2)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.picker = StudentPicker(vault, "committee_student_picker")
        row.addWidget(self.picker, 1)
        for name, label, slot in (
            ("appoint_button", _("Appoint"), self.appoint),
            ("end_term_button", _("End the term today"), self.end_term),
            ("report_button", _("Enter a report…"), self.enter_report),
            ("nothing_button", _("Nothing unusual this period"), self.nothing),
        ):
            b = push_button(label, name, slot)
            b.setEnabled(can)
            row.addWidget(b)
        layout.addLayout(row)
        missing = QGroupBox(_("Not reported within the rhythm"))
        ml = QVBoxLayout(missing)
        rhythm = QHBoxLayout()
        rhythm.addWidget(QLabel(_("Each class reports every")))
        self.rhythm = QSpinBox(objectName="rhythm_spin", minimum=1, maximum=60, suffix=_(" days"))
        self.rhythm.setEnabled(allowed(vault.user.role, "change_settings"))
        rhythm.addWidget(self.rhythm)
        rhythm.addWidget(push_button(_("Keep"), "rhythm_button", self.keep_rhythm))
        rhythm.addStretch(1)
        ml.addLayout(rhythm)
        self.missing = QTableWidget(0, 3, objectName="missing_table")
        self.missing.setHorizontalHeaderLabels([_("Class"), _("Members"), _("Last report")])
        setup_table(self.missing, stretch=1)
        ml.addWidget(self.missing)
        layout.addWidget(missing, 1)
        self.error = error_label("committee_error")
        layout.addWidget(self.error)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.resize(820, 560)
        self.reload()

    def reload(self) -> None:
        vault, today = self.vault, dt.date.today()
        self.members, missing, every = wait(
            lambda: (
                committee.members(vault),
                committee.missing_reports(vault, today),
                committee.rhythm(vault),
            )
        )
        self.rhythm.setValue(every)
        self.table.setRowCount(len(self.members))
        for r, m in enumerate(self.members):
            term = f"{m.term_start} — {m.term_end or _('now')}"
            for c, text in enumerate((m.class_label, m.name, term)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, m.id)
                if not m.serving(today):
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(r, c, item)
        self.missing.setRowCount(len(missing))
        for r, x in enumerate(missing):
            last = f"{x.last_report}" if x.last_report else _("none yet")
            for c, text in enumerate((x.class_label, "、".join(x.members), last)):
                self.missing.setItem(r, c, QTableWidgetItem(text))

    def _chosen(self) -> committee.Member | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.members):
            return self.members[row]
        QMessageBox.information(self, self.windowTitle(), _("Choose a member in the list first."))
        return None

    def _do(self, work) -> bool:
        try:
            wait(work)
        except Exception as exc:
            self.error.setText(message_for(exc))
            return False
        self.error.clear()
        self.reload()
        return True

    def appoint(self) -> bool:
        sid = self.picker.student_id()
        if sid is None:
            self.error.setText(_("Type a name and choose the student from the list."))
            return False
        vault = self.vault
        ok = self._do(lambda: committee.appoint(vault, sid, dt.date.today()))
        if ok:
            self.picker.clear()
        return ok

    def end_term(self) -> bool:
        m = self._chosen()
        vault = self.vault
        return m is not None and self._do(lambda: committee.end_term(vault, m.id, dt.date.today()))

    def nothing(self) -> bool:
        m = self._chosen()
        vault = self.vault
        return m is not None and self._do(lambda: committee.nothing_to_report(vault, m.id))

    def keep_rhythm(self) -> bool:
        vault, days = self.vault, self.rhythm.value()
        return self._do(lambda: committee.set_rhythm(vault, days))

    def enter_report(self) -> ReportDialog | None:
        m = self._chosen()
        if m is None:
            return None
        dialog = ReportDialog(self.vault, m, self)
        dialog.finished.connect(lambda result: result and self.reload())
        dialog.open()
        return dialog
