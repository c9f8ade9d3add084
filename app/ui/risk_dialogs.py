"""Dialogs of the risk path: a reason that must be typed (and confirmed), and a manual warning.

Every decision about a warning carries the words a person typed; OK stays disabled until there
are some, so a click can never store an empty or boolean note.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.risk.levels import LEVELS
from app.services import students, warnings
from app.services.vaults import OpenVault
from app.ui.errors import message_for
from app.ui.form_parts import error_label
from app.ui.ops import wait
from app.ui.student_picker import StudentPicker


class ReasonDialog(QDialog):
    """A note that must be written; optionally a second, explicit confirmation."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        prompt: str,
        *,
        summary: str = "",
        confirm: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reason_dialog")
        self.setWindowTitle(title)
        self.confirm = confirm
        layout = QVBoxLayout(self)
        if summary:
            head = QLabel(summary, objectName="reason_summary", wordWrap=True)
            head.setStyleSheet("font-weight: bold")
            layout.addWidget(head)
        layout.addWidget(QLabel(prompt, wordWrap=True))
        self.edit = QPlainTextEdit(objectName="reason_edit")
        self.edit.setTabChangesFocus(True)
        layout.addWidget(self.edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("reason_ok")
        self.ok.setEnabled(False)
        self.edit.textChanged.connect(lambda: self.ok.setEnabled(bool(self.text())))
        self.buttons.accepted.connect(lambda: self._accept())
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(460, 260)
        self.edit.setFocus()

    def text(self) -> str:
        return self.edit.toPlainText().strip()

    def _accept(self) -> None:
        if not self.text():
            return
        if self.confirm:
            answer = QMessageBox.question(
                self,
                self.windowTitle(),
                self.confirm,
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.accept()


def ask_reason(
    parent: QWidget | None, title: str, prompt: str, *, summary: str = "", confirm: str = ""
) -> str | None:
    """The typed note, or None when cancelled."""
    dialog = ReasonDialog(parent, title, prompt, summary=summary, confirm=confirm)
    return dialog.text() if dialog.exec() == QDialog.DialogCode.Accepted else None


class ManualWarningDialog(QDialog):
    """The counselor's own judgment as a warning: student, level, reason (required), note."""

    def __init__(
        self, vault: OpenVault, student_id: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("manual_warning_dialog")
        self.setWindowTitle(_("Raise a warning by hand"))
        self.vault = vault
        self.student_id = student_id
        self.warning_id: str | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.search: StudentPicker | None = None
        if student_id is None:
            self.search = StudentPicker(vault, "manual_student_edit", self)
            form.addRow(_("Student"), self.search)
        else:
            row = wait(lambda: students.student_archive(vault, student_id)).row
            form.addRow(_("Student"), QLabel(f"{row.name} {row.grade}{row.class_name}"))
        self.level = QComboBox(objectName="manual_level_combo")
        for lv in LEVELS:
            self.level.addItem(lv.name, lv.id)
        self.level.setCurrentIndex(self.level.findData("orange"))
        form.addRow(_("Level"), self.level)
        self.reason = QLineEdit(objectName="manual_reason_edit")
        self.reason.setPlaceholderText(_("e.g. said in class that life is meaningless"))
        form.addRow(_("Reason for the warning") + " *", self.reason)
        self.note = QPlainTextEdit(objectName="manual_note_edit")
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(90)
        form.addRow(_("Evidence note"), self.note)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("manual_ok")
        buttons.accepted.connect(lambda: self._accept())
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 320)

    def _accept(self) -> None:
        student_id = self.student_id
        if self.search is not None:
            student_id = self.search.student_id()
            if student_id is None:
                self.error.setText(_("Pick the student from the list."))
                return
        try:
            level, reason, note = (
                self.level.currentData(),
                self.reason.text(),
                self.note.toPlainText(),
            )
            self.warning_id = wait(
                lambda: warnings.raise_manual(self.vault, student_id, level, reason, note)
            )
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        self.accept()


def ask_task(parent: QWidget, summary: str = "") -> tuple[str, object] | None:
    """A follow-up task's words and due date (a week from today unless changed), or None."""
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QDateEdit

    dialog = QDialog(parent)
    dialog.setObjectName("task_dialog")
    dialog.setWindowTitle(_("Add follow-up task"))
    form = QFormLayout(dialog)
    if summary:
        form.addRow(QLabel(summary, wordWrap=True))
    title_edit = QLineEdit(objectName="task_title_edit")
    due_edit = QDateEdit(QDate.currentDate().addDays(7), objectName="task_due_edit")
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
        return None
    return title_edit.text(), due_edit.date().toPython()
