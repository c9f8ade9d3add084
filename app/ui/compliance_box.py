"""The reports page's 心理课 and 班会课 box: each class against what the notice asks, the school
calendar it is counted against (set by the counseling lead), and the printed list."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.records.school_calendar import SchoolCalendar, holidays_text, parse_holidays
from app.services import lesson_compliance
from app.services.permissions import allowed
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.date_field import DateField
from app.ui.errors import message_for
from app.ui.form_parts import error_label
from app.ui.ops import refresh_in_lane, wait
from app.ui.tables import ALL, setup_table

SHORT = QColor("#ffcdd2")


class CalendarDialog(QDialog):
    """The semester's first and last day and its holidays, one per line."""

    def __init__(self, vault: OpenVault, cal: SchoolCalendar, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("calendar_dialog")
        self.setWindowTitle(_("School calendar"))
        self.vault, self.cal = vault, cal
        form = QFormLayout(self)
        self.start, self.end = DateField(), DateField()
        self.start.setObjectName("semester_start")
        self.end.setObjectName("semester_end")
        self.start.set_date(cal.start)
        self.end.set_date(cal.end)
        form.addRow(_("Semester starts"), self.start)
        form.addRow(_("Semester ends"), self.end)
        self.holidays = QPlainTextEdit(holidays_text(cal.holidays), objectName="holidays_edit")
        self.holidays.setTabChangesFocus(True)
        self.holidays.setPlaceholderText("2026-10-01 ~ 2026-10-07 国庆节\n2027-01-01 元旦")
        form.addRow(_("Holidays (one per line)"), self.holidays)
        self.error = error_label("calendar_error")
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def save(self) -> None:
        try:
            cal = SchoolCalendar(
                self.cal.semester,
                self.start.date_or_none() or self.cal.start,
                self.end.date_or_none() or self.cal.end,
                parse_holidays(self.holidays.toPlainText(), self.cal.start),
            )
            vault = self.vault
            wait(lambda: lesson_compliance.save_calendar(vault, cal))
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        self.accept()


class ComplianceBox(QGroupBox):
    def __init__(self, vault: OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(_("Psychology lessons and class meetings per class"), parent)
        self.setObjectName("compliance_box")
        self.vault = vault
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.summary = QLabel(objectName="compliance_summary")
        bar.addWidget(self.summary, 1)
        calendar = push_button(_("School calendar…"), "calendar_button", self.edit_calendar)
        calendar.setEnabled(allowed(vault.user.role, "change_settings"))
        bar.addWidget(calendar)
        bar.addWidget(push_button(_("Print the list…"), "print_compliance_button", self.print_list))
        layout.addLayout(bar)
        self.table = QTableWidget(0, 4, objectName="compliance_table")
        self.table.setHorizontalHeaderLabels(
            [_("Class"), _("Psychology lessons (held / due)"), _("Class meetings"), _("Status")]
        )
        setup_table(self.table, stretch=ALL)
        self.table.setMaximumHeight(180)
        layout.addWidget(self.table)

    def refresh(self) -> None:
        vault = self.vault
        refresh_in_lane(
            self,
            lambda: (lesson_compliance.calendar(vault), lesson_compliance.compliance(vault)),
            self._show,
        )

    def _show(self, data) -> None:
        cal, rows = data
        short = [c for c in rows if c.falls_short]
        self.summary.setText(
            _("{start} to {end}, {holidays} holidays; {short} of {n} classes fall short").format(
                start=cal.start,
                end=cal.end,
                holidays=len(cal.holidays),
                short=len(short),
                n=len(rows),
            )
        )
        self.table.setRowCount(len(rows))
        for r, c in enumerate(sorted(rows, key=lambda c: not c.falls_short)):
            status = _("Falls short") if c.falls_short else _("On track")
            for col, text in enumerate(
                (c.label, f"{c.lessons} / {c.lessons_due}", str(c.meetings), status)
            ):
                item = QTableWidgetItem(text)
                if c.falls_short:
                    item.setBackground(SHORT)
                self.table.setItem(r, col, item)

    def edit_calendar(self) -> CalendarDialog:
        vault = self.vault
        dialog = CalendarDialog(vault, wait(lambda: lesson_compliance.calendar(vault)), self)
        dialog.finished.connect(lambda result: result and self.refresh())
        dialog.open()
        return dialog

    def print_list(self):
        from app.services import printing
        from app.ui.print_preview import show_document

        vault = self.vault
        return show_document(
            self,
            vault,
            lambda: printing.compliance_report(vault, dt.date.today()),
            _("Lessons and class meetings"),
        )
