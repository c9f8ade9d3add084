"""记录: what is due, group programs and their sessions, lessons, and this semester's workload."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
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
from app.records.semesters import semester_bounds, semester_label
from app.records.workload import CATEGORIES, HOURS, LABELS
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

        talks = QGroupBox(_("Lectures and training"))
        tl = QVBoxLayout(talks)
        self.talks = QListWidget(objectName="lecture_list")
        self.talks.itemActivated.connect(self.open_record)
        tl.addWidget(self.talks)
        tb = QHBoxLayout()
        for name, label, slot in (
            ("new_lecture_button", _("New lecture…"), lambda: self._form("lecture")),
            ("new_training_button", _("Training received…"), lambda: self._form("training")),
        ):
            b = push_button(label, name, slot)
            b.setEnabled(allowed(vault.user.role, "edit_student"))
            tb.addWidget(b)
        tl.addLayout(tb)
        committee_button = push_button(
            _("Committee members…"), "committee_button", self.open_committee
        )
        tl.addWidget(committee_button)
        row.addWidget(talks, 1)
        work = QGroupBox(_("Workload as the bureau counts it"))
        wl = QVBoxLayout(work)
        wbar = QHBoxLayout()
        self.semester = QComboBox(objectName="workload_semester")
        today = dt.date.today()
        for day in (today, semester_bounds(today)[0] - dt.timedelta(days=1)):
            self.semester.addItem(semester_label(day), semester_bounds(day))
        self.semester.currentIndexChanged.connect(lambda _i: self.refresh())
        wbar.addWidget(self.semester)
        print_work = push_button(
            _("Print the workload report…"), "print_workload_button", self.print_workload
        )
        wbar.addWidget(print_work)
        wbar.addStretch(1)
        wl.addLayout(wbar)
        headers = [_("Teacher")]
        for c in CATEGORIES:
            headers.append(_(LABELS[c]))
            if c in HOURS:
                headers.append(_("Hours"))
        self.workload = QTableWidget(0, len(headers), objectName="workload_table")
        self.workload.setHorizontalHeaderLabels(headers)
        self.workload.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
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
        start, end = self.semester.currentData()
        talks = records.listing(vault, "lecture") + records.listing(vault, "training")
        return (
            now,
            records.upcoming(vault, now + dt.timedelta(days=7), now=now),
            records.listing(vault, "group_program"),
            records.listing(vault, "lesson"),
            sorted(talks, key=lambda r: r.occurred_at, reverse=True),
            records.workload(vault, start, end),
        )

    def _show(self, data: tuple) -> None:
        now, upcoming, programs, lessons, talks, rows = data
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
        self._fill(self.talks, talks)
        self.workload.setRowCount(len(rows))
        for r, w in enumerate(rows):
            values: list[object] = [w.name]
            for c in CATEGORIES:
                values.append(w.counts.get(c, 0))
                if c in HOURS:
                    values.append(f"{w.hours.get(c, 0.0):g}")
            for c, v in enumerate(values):
                self.workload.setItem(r, c, QTableWidgetItem(str(v)))

    def open_committee(self):
        """心理委员: members, their reports and the classes that have not reported."""
        from app.ui.committee_dialog import CommitteeDialog

        dialog = CommitteeDialog(self.vault, self)
        dialog.open()
        return dialog

    def print_workload(self):
        from app.services import printing
        from app.ui.print_preview import show_document

        start, end = self.semester.currentData()
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
