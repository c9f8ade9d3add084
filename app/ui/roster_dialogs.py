"""The roster by hand: add a student who transfers in, correct one, mark a transfer out,
graduation or suspension with its date, and save the 名册 template the importer reads back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.roster.fields import GRADE_NAMES
from app.services import roster_edit
from app.services.students import STATUS_LABELS
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.date_field import DateField
from app.ui.discard_guard import confirm_discard, form_state
from app.ui.errors import message_for
from app.ui.form_parts import dialog_buttons, error_label
from app.ui.ops import wait
from app.ui.tables import ALL, setup_table


class StudentForm(QDialog):
    """Add a student (`student_id` None) or correct one; `saved_id` is set once saved."""

    def __init__(
        self, vault: OpenVault, student_id: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("student_form")
        self.vault = vault
        self.student_id = student_id
        self.saved_id: str | None = None
        self.setWindowTitle(_("Edit the student") if student_id else _("Add a student"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.student_no = QLineEdit(objectName="student_no_edit")
        self.student_no.setPlaceholderText(_("G + the 18-character ID number"))
        self.name = QLineEdit(objectName="student_name_edit")
        self.gender = QComboBox(objectName="student_gender_combo")
        for code, label in ((None, _("Not given")), ("M", _("Male")), ("F", _("Female"))):
            self.gender.addItem(label, code)
        self.grade = QComboBox(objectName="student_grade_combo")
        for level, name in GRADE_NAMES.items():
            self.grade.addItem(name, level)
        self.grade.setCurrentIndex(self.grade.findData(7))
        self.class_no = QSpinBox(objectName="student_class_spin", minimum=1, maximum=99)
        self.class_no.setSuffix(" " + _("(class)"))
        self.birth = DateField()
        self.birth.setObjectName("student_birth_field")
        self.guardian = QLineEdit(objectName="guardian_name_edit")
        self.relation = QLineEdit(objectName="guardian_relation_edit")
        self.relation.setPlaceholderText(_("e.g. 父亲、母亲、祖母"))
        self.phone = QLineEdit(objectName="guardian_phone_edit")
        form.addRow(_("Student number (学籍号)") + " *", self.student_no)
        form.addRow(_("Name") + " *", self.name)
        form.addRow(_("Gender"), self.gender)
        form.addRow(_("Grade") + " *", self.grade)
        form.addRow(_("Class") + " *", self.class_no)
        form.addRow(_("Birth date"), self.birth)
        form.addRow(_("Guardian name"), self.guardian)
        form.addRow(_("Guardian relation"), self.relation)
        form.addRow(_("Guardian phone"), self.phone)
        layout.addLayout(form)
        self.error = error_label("student_form_error")
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, self.save, QDialogButtonBox.StandardButton.Save))
        if student_id is not None:
            self._fill(wait(lambda: roster_edit.student_details(vault, student_id)).entry)
        self.resize(520, 420)
        self._as_opened = form_state(self)

    def reject(self) -> None:
        """Esc, Cancel or the close button: ask first if anything was typed and not saved."""
        typed = self.saved_id is None and form_state(self) != self._as_opened
        if typed and not confirm_discard(self):
            return
        super().reject()

    def _fill(self, e: roster_edit.StudentEntry) -> None:
        self.student_no.setText(e.student_no)
        self.student_no.setReadOnly(True)  # who the student is; a wrong one is a new student
        self.name.setText(e.name)
        self.gender.setCurrentIndex(max(0, self.gender.findData(e.gender)))
        self.grade.setCurrentIndex(max(0, self.grade.findData(e.grade)))
        self.class_no.setValue(e.class_no)
        self.birth.set_date(e.birth_date)
        self.guardian.setText(e.guardian_name)
        self.relation.setText(e.guardian_relation)
        self.phone.setText(e.guardian_phone)

    def entry(self) -> roster_edit.StudentEntry:
        return roster_edit.StudentEntry(
            student_no=self.student_no.text().strip(),
            name=self.name.text().strip(),
            grade=self.grade.currentData(),
            class_no=self.class_no.value(),
            gender=self.gender.currentData(),
            birth_date=self.birth.date_or_none(),
            guardian_name=self.guardian.text().strip(),
            guardian_relation=self.relation.text().strip(),
            guardian_phone=self.phone.text().strip(),
        )

    def save(self) -> None:
        if not self.birth.is_valid():
            self.error.setText(_("The birth date is not a date."))
            return
        entry, student_id = self.entry(), self.student_id
        try:
            if student_id is None:
                self.saved_id = wait(lambda: roster_edit.add_student(self.vault, entry))
            else:
                wait(lambda: roster_edit.edit_student(self.vault, student_id, entry))
                self.saved_id = student_id
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        self.accept()


class StatusDialog(QDialog):
    """转出 / 毕业 / 休学 (or back to 在读) from a date, with a short reason."""

    def __init__(self, vault: OpenVault, student_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("status_dialog")
        self.setWindowTitle(_("Change of status"))
        self.vault = vault
        self.student_id = student_id
        details = wait(lambda: roster_edit.student_details(vault, student_id))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.status = QComboBox(objectName="status_combo")
        for code, label in STATUS_LABELS.items():
            self.status.addItem(_(label), code)
        self.status.setCurrentIndex(self.status.findData(details.status))
        if details.status == "enrolled":
            self.status.setCurrentIndex(self.status.findData("transferred"))
        self.on = DateField()
        self.on.setObjectName("status_date_field")
        self.on.set_date(details.status_on or dt.date.today())
        self.note = QLineEdit(details.status_note or "", objectName="status_note_edit")
        self.note.setPlaceholderText(_("e.g. 随父母迁往广州，转入某某中学"))
        self.note.setMaxLength(200)
        form.addRow(_("Status"), self.status)
        form.addRow(_("From"), self.on)
        form.addRow(_("Reason for the change"), self.note)
        layout.addLayout(form)
        self.error = error_label("status_error")
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, self.save, QDialogButtonBox.StandardButton.Save))
        self.resize(460, 220)

    def save(self) -> None:
        on = self.on.date_or_none()
        if on is None:
            self.error.setText(_("Enter the date the change takes effect."))
            return
        status, note = self.status.currentData(), self.note.text()
        try:
            wait(lambda: roster_edit.change_status(self.vault, self.student_id, status, on, note))
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        self.accept()


class GuardiansDialog(QDialog):
    """Every guardian of the student in one table (name, relation, phone); a row left empty is
    ignored, a guardian taken out of the table is no longer active."""

    def __init__(self, vault: OpenVault, student_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guardians_dialog")
        self.setWindowTitle(_("Guardians"))
        self.vault, self.student_id = vault, student_id
        known = wait(lambda: roster_edit.guardians_of(vault, student_id))
        layout = QVBoxLayout(self)
        self.table = QTableWidget(len(known) + 1, 3, objectName="guardians_table")
        self.table.setHorizontalHeaderLabels([_("Name"), _("Relation"), _("Phone")])
        setup_table(self.table, stretch=ALL, editable=True)
        for r, g in enumerate(known):
            for c, v in enumerate((g.name, g.relation, g.phone)):
                self.table.setItem(r, c, QTableWidgetItem(v))
        layout.addWidget(self.table)
        row = QHBoxLayout()
        row.addWidget(push_button(_("Add a row"), "add_guardian_row", self.add_row))
        row.addWidget(push_button(_("Remove the chosen row"), "remove_guardian_row", self.remove))
        row.addStretch(1)
        layout.addLayout(row)
        self.error = error_label("guardians_error")
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, self.save, QDialogButtonBox.StandardButton.Save))
        self.resize(560, 300)
        self._as_opened = form_state(self)

    def add_row(self) -> None:
        self.table.setRowCount(self.table.rowCount() + 1)
        self.table.setCurrentCell(self.table.rowCount() - 1, 0)

    def remove(self) -> None:
        if self.table.currentRow() >= 0:
            self.table.removeRow(self.table.currentRow())

    def _cell(self, r: int, c: int) -> str:
        item = self.table.item(r, c)
        return item.text() if item is not None else ""

    def save(self) -> None:
        entries = [
            roster_edit.GuardianEntry(self._cell(r, 0), self._cell(r, 1), self._cell(r, 2))
            for r in range(self.table.rowCount())
        ]
        vault, sid = self.vault, self.student_id
        try:
            wait(lambda: roster_edit.set_guardians(vault, sid, entries))
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        self.accept()

    def reject(self) -> None:
        if form_state(self) != self._as_opened and not confirm_discard(self):
            return
        super().reject()


def save_template(parent: QWidget) -> QFileDialog:
    """Asks where to save the 名册 template (a dialog of Qt's own, so it is the same on every
    computer) and writes it there."""
    dialog = QFileDialog(parent, _("Save the roster template"), str(Path.home()))
    dialog.setObjectName("template_save_dialog")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilter(_("Excel workbook (*.xlsx)"))
    dialog.setDefaultSuffix("xlsx")
    dialog.selectFile("学生名册模板.xlsx")

    def chosen(path: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        try:
            roster_edit.roster_template(Path(path))
        except OSError as exc:
            QMessageBox.warning(parent, _("Save the roster template"), message_for(exc))

    dialog.fileSelected.connect(chosen)
    dialog.open()
    return dialog
