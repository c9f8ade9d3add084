"""The editor of each field type of a record kind (app/records/kinds.py), and reading and
setting its value, so one form renders every kind."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

from app.i18n import _
from app.records.kinds import Field
from app.ui.date_field import DateField


class DateTimeField(QWidget):
    """A date that may be empty, and a time for it (an appointment)."""

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.date = DateField()
        self.time = QTimeEdit(QTime(9, 0), objectName="time_edit")
        self.time.setDisplayFormat("HH:mm")
        row.addWidget(self.date, 1)
        row.addWidget(self.time)

    def set_datetime(self, value: dt.datetime) -> None:
        self.date.set_date(value.date())
        self.time.setTime(QTime(value.hour, value.minute))

    def datetime_or_none(self) -> dt.datetime | None:
        day = self.date.date_or_none()
        return None if day is None else dt.datetime.combine(day, self.time.time().toPython())


def editor_for(f: Field) -> QWidget:
    if f.type == "longtext":
        w = QPlainTextEdit()
        w.setTabChangesFocus(True)
        w.setMinimumHeight(70)
    elif f.type == "int":
        w = QSpinBox()
        w.setRange(0, 600)
    elif f.type == "date":
        w = DateField()
    elif f.type == "datetime":
        w = DateTimeField()
    elif f.type == "bool":
        w = QCheckBox()
    elif f.type == "choice":
        w = QComboBox()
        if not f.required:
            w.addItem("", None)
        elif f.default is None:
            w.addItem(_("(choose)"), None)  # a required choice with no default starts empty
        for key, label in f.choices.items():
            w.addItem(_(label), key)
    elif f.type == "steps":
        from PySide6.QtWidgets import QGridLayout

        from app.records.choices import CRISIS_STEPS

        w = QWidget()
        grid = QGridLayout(w)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, (key, label) in enumerate(CRISIS_STEPS.items()):
            box = QCheckBox(_(label), objectName=f"step_{key}")
            box.setProperty("step_key", key)
            stamp = QLabel("", objectName=f"stamp_{key}")
            box.toggled.connect(lambda on, b=box, lab=stamp: _stamp(b, lab, on))
            grid.addWidget(box, i, 0)
            grid.addWidget(stamp, i, 1)
    elif f.type == "tasks":
        from app.ui.task_rows import TaskRows

        w = TaskRows()
    elif f.type == "multichoice":
        w = QWidget()
        row = QHBoxLayout(w)
        row.setContentsMargins(0, 0, 0, 0)
        for key, label in f.choices.items():
            box = QCheckBox(_(label), objectName=f"{f.key}_{key}")
            box.setProperty("choice_key", key)
            row.addWidget(box)
    else:
        w = QLineEdit()
    w.setObjectName(f"field_{f.key}")
    return w


def _stamp(box: QCheckBox, label: QLabel, on: bool) -> None:
    """Ticking a protocol step records the time it was done."""
    when = dt.datetime.now().isoformat(timespec="minutes") if on else None
    if on and box.property("done_at"):
        when = box.property("done_at")
    box.setProperty("done_at", when)
    label.setText(when.replace("T", " ") if when else "")


def set_value(f: Field, w: QWidget, value) -> None:
    if value is None:
        return
    if f.type == "steps":
        for box in w.findChildren(QCheckBox):
            when = value.get(box.property("step_key"))
            if when:
                box.setProperty("done_at", when)
                box.setChecked(True)
        return
    if f.type == "tasks":
        w.set_tasks(list(value))
        return
    if f.type == "longtext":
        w.setPlainText(str(value))
    elif f.type == "int":
        w.setValue(int(value))
    elif f.type == "date":
        w.set_date(dt.date.fromisoformat(str(value)[:10]))
    elif f.type == "datetime":
        w.set_datetime(dt.datetime.fromisoformat(str(value)[:16]))
    elif f.type == "bool":
        w.setChecked(bool(value))
    elif f.type == "choice":
        w.setCurrentIndex(max(0, w.findData(value)))
    elif f.type == "multichoice":
        for box in w.findChildren(QCheckBox):
            box.setChecked(box.property("choice_key") in value)
    else:
        w.setText(str(value))


def get_value(f: Field, w: QWidget):
    if f.type == "longtext":
        return w.toPlainText()
    if f.type == "int":
        return w.value()
    if f.type == "date":
        return w.date_or_none()
    if f.type == "datetime":
        return w.datetime_or_none()
    if f.type == "bool":
        return w.isChecked()
    if f.type == "choice":
        return w.currentData()
    if f.type == "multichoice":
        return [b.property("choice_key") for b in w.findChildren(QCheckBox) if b.isChecked()]
    if f.type == "tasks":
        return w.tasks()
    if f.type == "steps":
        return {
            b.property("step_key"): b.property("done_at")
            for b in w.findChildren(QCheckBox)
            if b.isChecked()
        }
    return w.text()


def checkable_list(name: str, choices: list[tuple[str, str]]) -> QListWidget:
    """Several of many (classes): each a row Space ticks, none ticked at first."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QListWidgetItem

    w = QListWidget(objectName=name)
    for label, key in choices:
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        w.addItem(item)
    w.setMaximumHeight(90)
    return w


def checked(w: QListWidget) -> list[str]:
    from PySide6.QtCore import Qt

    return [
        w.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(w.count())
        if w.item(i).checkState() == Qt.CheckState.Checked
    ]
