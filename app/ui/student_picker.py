"""A line edit that picks one enrolled student by name, pinyin initials or 学籍号 (the counselor
types, the completer offers "name class 学籍号"); used wherever a dialog needs a student."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from app.i18n import _
from app.services import students
from app.services.vaults import OpenVault
from app.ui.ops import wait


class StudentPicker(QLineEdit):
    def __init__(self, vault: OpenVault, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setPlaceholderText(_("Name, pinyin initials or 学籍号"))
        self.choices = {
            f"{r.name} {r.grade}{r.class_name} {r.student_no}": r.id
            for r in wait(
                lambda: students.search_students(vault, students.StudentFilter(status="enrolled"))
            )
        }
        completer = QCompleter(sorted(self.choices), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(completer)

    def student_id(self) -> str | None:
        """The chosen student, or None while the text is not one of the offered entries."""
        return self.choices.get(self.text().strip())
