"""记录: what is due, group programs and their sessions, lessons, and this semester's workload."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.records.semesters import semester_bounds
from app.services import records
from app.services.permissions import allowed
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.ops import refresh_in_lane, wait
from app.ui.record_form import RecordForm
from app.ui.tables import setup_table


class RecordsPage(QWidget):
    student_requested = Signal(str)  # a due row double-clicked: that student's archive

    def __init__(self, vault: OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("records_page")
        self.vault = vault
        layout = QVBoxLayout(self)
        due = QGroupBox(_("Due in the next 7 days (and overdue)"))
        dl = QVBoxLayout(due)
        self.due = QListWidget(objectName="due_list")
        self.due.setMaximumHeight(150)
        self.due.itemActivated.connect(self._open_student)
        dl.addWidget(self.due)
        layout.addWidget(due)

        row = QHBoxLayout()
        groups = QGroupBox(_("Group counseling"))
        gl = QVBoxLayout(groups)
        self.programs = QListWidget(objectName="program_list")
        self.programs.itemActivated.connect(self.open_record)
        gl.addWidget(self.programs)
        gb = QHBoxLayout()
        for name, label, slot in (
            ("new_program_button", _("New program…"), self.new_program),
            ("new_group_session_button", _("New group session…"), self.new_group_session),
        ):
            b = push_button(label, name, slot)
            b.setEnabled(allowed(vault.user.role, "edit_student"))
            gb.addWidget(b)
        gl.addLayout(gb)
        row.addWidget(groups, 1)
        lessons = QGroupBox(_("Lessons and class meetings"))
        ll = QVBoxLayout(lessons)
        self.lessons = QListWidget(objectName="lesson_list")
        self.lessons.itemActivated.connect(self.open_record)
        ll.addWidget(self.lessons)
        nb = QPushButton(_("New lesson or class meeting…"), objectName="new_lesson_button")
        nb.clicked.connect(self.new_lesson)
        nb.setEnabled(allowed(vault.user.role, "edit_student"))
        ll.addWidget(nb)
        row.addWidget(lessons, 1)
        layout.addLayout(row, 1)

        work = QGroupBox(_("Workload this semester"))
        wl = QVBoxLayout(work)
        print_work = QPushButton(
            _("Print the workload report…"), objectName="print_workload_button"
        )
        print_work.clicked.connect(self.print_workload)
        wl.addWidget(print_work)
        self.workload = QTableWidget(0, 6, objectName="workload_table")
        self.workload.setHorizontalHeaderLabels(
            [
                _("Teacher"),
                _("Individual sessions"),
                _("Hours"),
                _("Group sessions"),
                _("Lessons"),
                _("Home–school contacts"),
            ]
        )
        setup_table(self.workload, stretch=0)
        self.workload.setMaximumHeight(140)
        wl.addWidget(self.workload)
        layout.addWidget(work)
        self.refresh()

    def refresh(self) -> None:
        """Read in the database lane, shown here."""
        refresh_in_lane(self, self._load, self._show)

    def _load(self) -> tuple:
        now = dt.datetime.now()
        vault = self.vault
        start, end = semester_bounds(dt.date.today())
        return (
            now,
            records.upcoming(vault, now + dt.timedelta(days=7), now=now),
            records.listing(vault, "group_program"),
            records.listing(vault, "lesson"),
            records.workload(vault, start, end),
        )

    def _show(self, data: tuple) -> None:
        now, upcoming, programs, lessons, rows = data
        self.due.clear()
        for u in upcoming:
            overdue = u.when < now
            item = QListWidgetItem(
                f"{u.when:%m-%d %H:%M}  {u.student_name}  {u.what}"
                + ("  " + _("(overdue)") if overdue else "")
            )
            if overdue:
                item.setForeground(Qt.GlobalColor.red)
            item.setData(Qt.ItemDataRole.UserRole, u.student_id)
            self.due.addItem(item)
        self._fill(self.programs, programs)
        self._fill(self.lessons, lessons)
        self.workload.setRowCount(len(rows))
        for r, w in enumerate(rows):
            for c, v in enumerate(
                (w.name, w.sessions, w.session_hours, w.group_sessions, w.lessons, w.contacts)
            ):
                self.workload.setItem(r, c, QTableWidgetItem(str(v)))

    def print_workload(self):
        from app.services import printing
        from app.ui.print_preview import show_document

        start, end = semester_bounds(dt.date.today())
        return show_document(
            self,
            self.vault,
            lambda: printing.workload_report(self.vault, start, end),
            _("Workload"),
        )

    def _fill(self, widget: QListWidget, listed: list) -> None:
        widget.clear()
        for r in listed:
            item = QListWidgetItem(f"{r.occurred_at:%Y-%m-%d}  {r.label}")
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            widget.addItem(item)

    def _open_student(self, item: QListWidgetItem) -> None:
        if item.data(Qt.ItemDataRole.UserRole):
            self.student_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def open_record(self, item: QListWidgetItem) -> RecordForm:
        """A program or lesson double-clicked: the record, to read or amend (a new version)."""
        record_id = item.data(Qt.ItemDataRole.UserRole)
        record = wait(lambda: records.get_record(self.vault, record_id))
        return self._form(record.kind, record=record)

    def _form(self, kind: str, **kw) -> RecordForm:
        form = RecordForm(self.vault, kind, parent=self, **kw)
        form.finished.connect(lambda _r: self.refresh())
        form.open()
        return form

    def new_program(self) -> RecordForm:
        return self._form("group_program")

    def new_group_session(self) -> RecordForm | None:
        item = self.programs.currentItem() or self.programs.item(0)
        if item is None:
            return self.new_program()
        return self._form("group_session", parent_id=item.data(Qt.ItemDataRole.UserRole))

    def new_lesson(self) -> RecordForm:
        from app.services import students

        grades = wait(lambda: students.grades_and_classes(self.vault))
        first = grades[0].classes[0].id if grades and grades[0].classes else None
        form = self._form("lesson", class_id=first)
        return form
