"""The 一生一档 timeline: everything about a student, newest first, filtered by kind and date."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.records.kinds import KINDS, STUDENT_KINDS
from app.services import records
from app.services.vaults import OpenVault
from app.ui.ops import refresh_in_lane, wait
from app.ui.record_form import RecordForm
from app.ui.tables import setup_table

VOIDED = QBrush(QColor("#9e9e9e"))


class TimelineView(QWidget):
    changed = Signal()
    assessment_opened = Signal(str)

    def __init__(self, vault: OpenVault, student_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline_view")
        self.vault = vault
        self.student_id = student_id
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.new_session = QPushButton(_("New session (Ctrl+N)"), objectName="new_session_button")
        self.new_session.clicked.connect(lambda: self.new_record("session"))
        bar.addWidget(self.new_session)
        more = QToolButton(objectName="new_record_menu")
        more.setText(_("New record…"))
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(more)
        for key in STUDENT_KINDS:
            if key != "session" and KINDS[key].listed:
                menu.addAction(_(KINDS[key].label), lambda k=key: self.new_record(k))
        more.setMenu(menu)
        bar.addWidget(more)
        bar.addStretch(1)
        self.kind = QComboBox(objectName="timeline_kind_filter")
        self.kind.addItem(_("All kinds"), None)
        self.kind.addItem(_("Assessments"), "assessment")
        for key in STUDENT_KINDS + ("group_session",):
            if not KINDS[key].private:
                self.kind.addItem(_(KINDS[key].label), key)
        self.since = QDateEdit(QDate(2000, 1, 1), objectName="timeline_since")
        self.until = QDateEdit(QDate.currentDate().addYears(1), objectName="timeline_until")
        for d in (self.since, self.until):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        self.private = QCheckBox(_("Include my private notes"), objectName="timeline_private_check")
        for w in (self.kind, self.since, self.until, self.private):
            bar.addWidget(w)
        layout.addLayout(bar)
        self.table = QTableWidget(0, 4, objectName="timeline_table")
        self.table.setHorizontalHeaderLabels([_("Date"), _("Kind"), _("Title"), _("Summary")])
        setup_table(self.table)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.activated.connect(lambda index: self.open_row(index.row()))
        layout.addWidget(self.table)
        self.kind.currentIndexChanged.connect(self.refresh)
        self.since.dateChanged.connect(self.refresh)
        self.until.dateChanged.connect(self.refresh)
        self.private.toggled.connect(self.refresh)
        self.entries: list[records.TimelineEntry] = []
        self.refresh()

    def refresh(self) -> None:
        """The entries read in the database lane (a student with years of history has
        hundreds), shown here."""
        kind = self.kind.currentData()
        since = dt.datetime.combine(self.since.date().toPython(), dt.time.min)
        until = dt.datetime.combine(self.until.date().toPython(), dt.time.max)
        kinds = None
        if kind is not None:
            kinds = {kind}
        private = self.private.isChecked()
        vault, student_id = self.vault, self.student_id
        refresh_in_lane(
            self,
            lambda: records.timeline(
                vault, student_id, kinds=kinds, since=since, until=until, include_private=private
            ),
            self._show,
        )

    def _show(self, entries: list[records.TimelineEntry]) -> None:
        self.entries = entries
        self.table.setRowCount(len(self.entries))
        for r, e in enumerate(self.entries):
            label = _("Assessments") if e.kind == "assessment" else _(KINDS[e.kind].label)
            summary = e.summary + ("  " + _("(void)") if e.voided else "")
            for c, v in enumerate((f"{e.occurred_at:%Y-%m-%d %H:%M}", label, e.title, summary)):
                item = QTableWidgetItem(v)
                if e.voided:
                    item.setForeground(VOIDED)
                self.table.setItem(r, c, item)

    def new_record(self, kind: str) -> RecordForm:
        form = RecordForm(self.vault, kind, student_id=self.student_id, parent=self)
        form.finished.connect(self._after)
        form.open()
        return form

    def open_row(self, row: int) -> RecordForm | None:
        entry = self.entries[row]
        if entry.kind == "assessment":
            self.assessment_opened.emit(entry.id)
            return None
        record = wait(lambda: records.get_record(self.vault, entry.id))
        form = RecordForm(self.vault, record.kind, record=record, parent=self)
        form.finished.connect(self._after)
        form.open()
        return form

    def _after(self, result: int) -> None:
        if result:
            self.refresh()
            self.changed.emit()
