"""Tasks agreed at a case conference, one row each: school or family, who, what, by when, done.

Rows of plain widgets, so Tab walks them in reading order and the discard guard sees the typing;
an empty row is ignored when saved."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from app.i18n import _
from app.records.choices import TASK_SIDES
from app.ui.buttons import push_button
from app.ui.date_field import DateField


class TaskRows(QWidget):
    def __init__(self, parent: QWidget | None = None, *, blank: int = 2) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        for col, head in enumerate((_("Side"), _("Owner"), _("Task"), _("Due"), _("Done"))):
            self.grid.addWidget(QLabel(head), 0, col)
        self.rows: list[tuple[QComboBox, QLineEdit, QLineEdit, DateField, QCheckBox]] = []
        self.add = push_button(_("Add a task"), "add_task_row", self.add_row)
        for i in range(blank):
            self.add_row("school" if i == 0 else "family")

    def add_row(self, side: str = "school") -> None:
        n = len(self.rows)
        combo = QComboBox(objectName=f"task_side_{n}")
        for key, label in TASK_SIDES.items():
            combo.addItem(_(label), key)
        combo.setCurrentIndex(max(0, combo.findData(side)))
        owner = QLineEdit(objectName=f"task_owner_{n}")
        owner.setPlaceholderText(_("e.g. head teacher 李老师, the mother"))
        owner.setMaximumWidth(140)
        title = QLineEdit(objectName=f"task_title_{n}")
        due = DateField()
        due.setObjectName(f"task_due_{n}")
        done = QCheckBox(objectName=f"task_done_{n}")
        widgets = (combo, owner, title, due, done)
        for col, w in enumerate(widgets):
            self.grid.addWidget(w, n + 1, col)
        self.grid.setColumnStretch(2, 1)
        self.grid.addWidget(self.add, n + 2, 0, 1, 2)
        self.rows.append(widgets)

    def tasks(self) -> list[dict]:
        """The rows as typed (the record kind checks and drops empty ones)."""
        out = []
        for combo, owner, title, due, done in self.rows:
            out.append(
                {
                    "side": combo.currentData(),
                    "owner": owner.text(),
                    "title": title.text(),
                    "due": self._due(due),
                    "done": done.isChecked(),
                }
            )
        return out

    @staticmethod
    def _due(field: DateField) -> str | None:
        """ISO when it reads as a date; else the text as typed (a draft keeps it, a save
        is refused beside the form)."""
        if field.is_valid():
            day = field.date_or_none()
            return day.isoformat() if day else None
        return field.edit.text().strip()

    def set_tasks(self, tasks: list[dict]) -> None:
        while len(self.rows) < len(tasks) + 1:
            self.add_row("family")
        for (combo, owner, title, due, done), task in zip(self.rows, tasks, strict=False):
            combo.setCurrentIndex(max(0, combo.findData(task.get("side"))))
            owner.setText(task.get("owner") or "")
            title.setText(task.get("title") or "")
            due.edit.setText(str(task.get("due") or ""))
            done.setChecked(bool(task.get("done")))
