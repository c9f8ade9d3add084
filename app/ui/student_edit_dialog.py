"""Edit a student's family-situation flags and the counselor-only note."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
)

from app.i18n import _
from app.services import students
from app.services.vaults import OpenVault
from app.ui.errors import message_for
from app.ui.form_parts import dialog_buttons, error_label
from app.ui.ops import wait

_MAIN = ("boarding", "left_behind", "single_parent")


class StudentEditDialog(QDialog):
    def __init__(self, vault: OpenVault, archive: students.StudentArchive, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("student_edit_dialog")
        self.setWindowTitle(_("Family situation and notes: {name}").format(name=archive.row.name))
        self.vault = vault
        self.student_id = archive.row.id
        layout = QVBoxLayout(self)
        box = QGroupBox(_("Family situation"))
        grid = QGridLayout(box)
        self.checks: dict[str, QCheckBox] = {}
        current = {
            "boarding": archive.boarding,
            "left_behind": archive.left_behind,
            "single_parent": archive.single_parent,
        }
        for i, (key, label) in enumerate(students.FLAG_LABELS.items()):
            check = QCheckBox(_(label), objectName=f"flag_{key}")
            check.setChecked(current.get(key, key in archive.family_flags))
            grid.addWidget(check, i // 2, i % 2)
            self.checks[key] = check
        layout.addWidget(box)
        layout.addWidget(QLabel(_("Pre-existing diagnosis (counselor only)")))
        self.note = QPlainTextEdit(archive.diagnosis_note or "", objectName="diagnosis_edit")
        self.note.setTabChangesFocus(True)
        layout.addWidget(self.note)
        self.error = error_label()
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, self._save, QDialogButtonBox.StandardButton.Save))
        self.resize(520, 420)

    def _save(self) -> None:
        try:
            flags = {k: self.checks[k].isChecked() for k in _MAIN}
            family = [k for k, c in self.checks.items() if k not in _MAIN and c.isChecked()]
            note = self.note.toPlainText().strip()
            wait(
                lambda: students.update_student_flags(
                    self.vault,
                    self.student_id,
                    flags=flags,
                    family_flags=family,
                    diagnosis_note=note,
                )
            )
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        self.accept()
