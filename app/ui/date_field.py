"""A date field that may be empty: type it (2026-12-09, 12/9, 12月9日) or pick it from a
Chinese calendar that opens at today (an empty QDateEdit opened at its minimum, in 2000)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from app.errors import ValidationError
from app.i18n import _
from app.records.dates import parse_date


class DateField(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(objectName="date_text")
        self.edit.setPlaceholderText(_("e.g. 2026-12-09 or 12月9日"))
        self.edit.editingFinished.connect(self._normalise)
        self.edit.textEdited.connect(lambda _t: self.changed.emit())
        row.addWidget(self.edit, 1)
        self.button = QToolButton(objectName="date_calendar_button", text=_("Calendar"))
        self.button.setToolTip(_("Choose from the calendar"))
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.button)
        self.calendar = QCalendarWidget(objectName="date_calendar")
        self.calendar.setLocale(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self._picked)
        action = QWidgetAction(self.menu)
        action.setDefaultWidget(self.calendar)
        self.menu.addAction(action)
        self.menu.aboutToShow.connect(self._open_at_current)
        self.button.setMenu(self.menu)
        row.addWidget(self.button)

    def _open_at_current(self) -> None:
        shown = self.date_or_none() if self.is_valid() else None
        self.calendar.setSelectedDate(QDate(shown or dt.date.today()))

    def _picked(self, qdate: QDate) -> None:
        self.set_date(qdate.toPython())
        self.menu.hide()
        self.changed.emit()

    def _normalise(self) -> None:
        if self.is_valid() and self.edit.text().strip():
            self.set_date(self.date_or_none())

    def is_valid(self) -> bool:
        try:
            parse_date(self.edit.text())
        except ValidationError:
            return False
        return True

    def date_or_none(self) -> dt.date | None:
        """Raises ValidationError (in Chinese) for text that is not a date."""
        return parse_date(self.edit.text())

    def set_date(self, value: dt.date | None) -> None:
        self.edit.setText(value.isoformat() if value else "")
