"""The warning queue's filters: level, status, grade or class, raised date and overdue tasks,
with how many of the queue are shown. Choosing only changes what is shown (no new read)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QWidget

from app.i18n import N_, _
from app.records.semesters import semester_bounds
from app.risk.levels import LEVELS, level_name
from app.services.warnings import QueueFilter


def grade_key(grade: str) -> str:
    return f"grade:{grade}" if grade else ""


def class_key(class_label: str) -> str:
    return f"class:{class_label}" if class_label else ""


def place_label(key: str) -> str:
    kind, _sep, name = key.partition(":")
    return _("{grade} (all classes)").format(grade=name) if kind == "grade" else name


DATE_CHOICES = {
    "any": N_("Raised any time"),
    "today": N_("Raised today"),
    "week": N_("Raised in the last 7 days"),
    "month": N_("Raised in the last 30 days"),
    "semester": N_("Raised this semester"),
}
STATUS_CHOICES = {
    None: N_("Open (all)"),
    "raised": N_("Awaiting review"),
    "confirmed": N_("Confirmed"),
}


def raised_since(choice: str, today: dt.date) -> dt.date | None:
    if choice == "today":
        return today
    if choice == "week":
        return today - dt.timedelta(days=6)
    if choice == "month":
        return today - dt.timedelta(days=29)
    if choice == "semester":
        return semester_bounds(today)[0]
    return None


def _combo(name: str, choices) -> QComboBox:
    combo = QComboBox(objectName=name)
    for value, label in choices:
        combo.addItem(label, value)
    return combo


class QueueFilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.level_filter = _combo(
            "level_filter",
            [(None, _("All levels"))] + [(lv.id, level_name(lv.id)) for lv in LEVELS],
        )
        self.status_filter = _combo("status_filter", [(k, _(v)) for k, v in STATUS_CHOICES.items()])
        self.place_filter = _combo("place_filter", [(None, _("All grades and classes"))])
        self.date_filter = _combo("date_filter", [(k, _(v)) for k, v in DATE_CHOICES.items()])
        self.overdue_check = QCheckBox(_("Overdue tasks only"), objectName="overdue_check")
        for combo in self.combos():
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
            row.addWidget(combo)
        self.overdue_check.toggled.connect(lambda _on: self.changed.emit())
        row.addWidget(self.overdue_check)
        self.shown = QLabel(objectName="shown_label")
        row.addWidget(self.shown, 1, Qt.AlignmentFlag.AlignRight)

    def combos(self) -> tuple[QComboBox, ...]:
        return (self.level_filter, self.status_filter, self.place_filter, self.date_filter)

    def queue_filter(self, today: dt.date | None = None) -> QueueFilter:
        return QueueFilter(
            level=self.level_filter.currentData(),
            status=self.status_filter.currentData(),
            place=self.place_filter.currentData(),
            raised_from=raised_since(self.date_filter.currentData(), today or dt.date.today()),
            overdue_only=self.overdue_check.isChecked(),
        )

    def describe(self) -> str:
        """The filter in words, for the printed list."""
        words = [c.currentText() for c in self.combos()]
        if self.overdue_check.isChecked():
            words.append(self.overdue_check.text())
        return "，".join(words)

    def set_to(self, level: str | None, place: str | None) -> None:
        """One level and place, everything else open (quietly: the caller reads once)."""
        for combo, value in zip(self.combos(), (level, None, place, "any"), strict=True):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.blockSignals(False)
        self.overdue_check.blockSignals(True)
        self.overdue_check.setChecked(False)
        self.overdue_check.blockSignals(False)

    def fill_places(self, grades) -> None:
        """Every grade, each followed by its classes, in school order; the chosen one kept."""
        chosen = self.place_filter.currentData()
        places = [
            key
            for g in grades
            for key in (grade_key(g.name), *(class_key(f"{g.name}{c.name}") for c in g.classes))
        ]
        wanted = [None, *places]
        have = [self.place_filter.itemData(i) for i in range(self.place_filter.count())]
        if have == wanted:
            return
        self.place_filter.blockSignals(True)
        while self.place_filter.count() > 1:
            self.place_filter.removeItem(1)
        for p in places:
            self.place_filter.addItem(place_label(p), p)
        self.place_filter.setCurrentIndex(max(0, self.place_filter.findData(chosen)))
        self.place_filter.blockSignals(False)
