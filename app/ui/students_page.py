"""学生档案: search-as-you-type, filters, and the list that opens a student's archive."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.risk.levels import LEVELS
from app.services import students
from app.services.permissions import allowed
from app.services.vaults import OpenVault
from app.ui.ops import current, refresh_in_lane
from app.ui.student_table import PAGE, StudentTableModel
from app.ui.tables import setup_table


class StudentsPage(QWidget):
    student_opened = Signal(str)  # student id
    import_requested = Signal()
    due_requested = Signal()

    def __init__(self, vault: OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("students_page")
        self.vault = vault
        layout = QVBoxLayout(self)
        self.due = QPushButton(objectName="due_button")
        self.due.setFlat(True)
        self.due.setStyleSheet("text-align: left; color: #8a4b00; font-weight: bold")
        self.due.clicked.connect(self.due_requested)
        layout.addWidget(self.due)
        self.refresh_due()
        bar = QHBoxLayout()
        self.search = QLineEdit(objectName="search_edit")
        self.search.setPlaceholderText(_("Search by name, pinyin, initials or 学籍号 (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.search, 3)
        self.grade = QComboBox(objectName="grade_filter")
        self.klass = QComboBox(objectName="class_filter")
        self.status = QComboBox(objectName="status_filter")
        self.grade.addItem(_("All grades"), None)  # the grades themselves come from the lane
        self.klass.addItem(_("All classes"), None)
        self._grades = []
        self.status.addItem(_("All statuses"), None)
        for code, label in students.STATUS_LABELS.items():
            self.status.addItem(_(label), code)
        self.status.setCurrentIndex(1)  # 在读 by default: what a teacher looks for daily
        bar.addWidget(self.grade, 1)
        bar.addWidget(self.klass, 1)
        bar.addWidget(self.status, 1)
        self.risk = QComboBox(objectName="risk_filter")
        self.risk.addItem(_("Any warning status"), None)
        self.risk.addItem(_("With an open warning"), "any")
        for lv in LEVELS:
            self.risk.addItem(lv.name, lv.id)
        self.risk.setVisible(allowed(vault.user.role, "view_diagnosis"))
        bar.addWidget(self.risk, 1)
        self.import_button = QPushButton(_("Import roster…"), objectName="import_button")
        self.import_button.setVisible(allowed(vault.user.role, "import_roster"))
        bar.addWidget(self.import_button)
        self.add_button = QPushButton(_("Add a student…"), objectName="add_student_button")
        self.add_button.setVisible(allowed(vault.user.role, "import_roster"))
        self.add_button.clicked.connect(self.add_student)
        bar.addWidget(self.add_button)
        layout.addLayout(bar)
        self._debounce = QTimer(self, singleShot=True, interval=60)
        self._debounce.timeout.connect(self.refresh)
        self.count_label = QLabel(objectName="count_label")
        self.model = StudentTableModel(
            self._fetch, self.refresh, self, risk=allowed(vault.user.role, "view_diagnosis")
        )
        self._loading = False
        self._open_when_loaded = False
        self.table = QTableView(objectName="student_table")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(3, Qt.SortOrder.AscendingOrder)
        # Thousands of rows: sized once below, then by hand, not measured on every fetch.
        setup_table(self.table, stretch=None)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setDefaultSectionSize(26)
        for column, width in enumerate((190, 90, 60, 130, 80, 110, 100)):
            self.table.setColumnWidth(column, width)
        layout.addWidget(self.table)
        layout.addWidget(self.count_label)

        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._open_first)
        self.grade.currentIndexChanged.connect(self._grade_changed)
        self.klass.currentIndexChanged.connect(self.refresh)
        self.status.currentIndexChanged.connect(self.refresh)
        self.risk.currentIndexChanged.connect(self.refresh)
        self.table.activated.connect(self._open_index)
        self.import_button.clicked.connect(self.import_requested)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.focus_search)
        self.reload_filters()
        self.reload_levels()

    def reload_levels(self) -> None:
        """The 预警 column's levels, read once and again when warnings change."""
        if not allowed(self.vault.user.role, "view_diagnosis"):
            return
        vault = self.vault
        refresh_in_lane(
            self, lambda: students.open_levels(vault), self.model.set_levels, key="levels"
        )
        if self.risk.currentData() is not None:
            self.refresh()  # filtered by warning: who is listed changed too

    def refresh_due(self) -> None:
        """The landing page says what is due today, so nothing scheduled is forgotten (read in
        the database lane)."""
        if not allowed(self.vault.user.role, "view_diagnosis"):
            self.due.hide()
            return
        import datetime as dt

        from app.services import records

        vault = self.vault

        def load():
            now = dt.datetime.now()
            items = records.upcoming(vault, now.replace(hour=23, minute=59), now=now)
            return len(items), sum(1 for u in items if u.when < now)

        refresh_in_lane(self, load, self._show_due, key="due")

    def _show_due(self, counts: tuple[int, int]) -> None:
        due, overdue = counts
        self.due.setText(
            _("Today: {due} to do, {overdue} overdue →").format(due=due, overdue=overdue)
        )
        self.due.setVisible(bool(due))

    def add_student(self) -> None:
        """A student who transfers in between imports: saved, then opened."""
        from app.ui.roster_dialogs import StudentForm

        form = StudentForm(self.vault, parent=self)

        def done(result: int) -> None:
            if result and form.saved_id:
                self.reload_filters()  # the student's class may be new
                self.student_opened.emit(form.saved_id)

        form.finished.connect(done)
        form.open()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def reload_filters(self) -> None:
        """The grade and class choices, read in the lane; the list itself is read meanwhile."""
        vault = self.vault
        refresh_in_lane(
            self, lambda: students.grades_and_classes(vault), self._show_grades, key="filters"
        )
        self.refresh()

    def _show_grades(self, grades) -> None:
        self._grades = grades
        chosen = self.grade.currentData()
        for combo in (self.grade, self.klass):
            combo.blockSignals(True)
            combo.clear()
        self.grade.addItem(_("All grades"), None)
        for g in grades:
            self.grade.addItem(g.name, g.level)
        self.klass.addItem(_("All classes"), None)
        for combo in (self.grade, self.klass):
            combo.blockSignals(False)
        if chosen is not None and self.grade.findData(chosen) > 0:
            self.grade.setCurrentIndex(self.grade.findData(chosen))  # its classes, refreshed
        elif chosen is not None:
            self.refresh()

    def _grade_changed(self) -> None:
        level = self.grade.currentData()
        self.klass.blockSignals(True)
        self.klass.clear()
        self.klass.addItem(_("All classes"), None)
        for g in self._grades:
            if g.level == level:
                for c in g.classes:
                    self.klass.addItem(c.name, c.id)
        self.klass.blockSignals(False)
        self.refresh()

    def current_filter(self) -> students.StudentFilter:
        return students.StudentFilter(
            query=self.search.text(),
            grade_level=self.grade.currentData(),
            class_id=self.klass.currentData(),
            status=self.status.currentData(),
            level=self.risk.currentData(),
        )

    def _fetch(self, sort, descending, offset, limit, deliver) -> None:
        """A further page of the list, read in the lane while the list scrolls on."""
        vault, flt = self.vault, self.current_filter()

        def failed(exc: BaseException) -> None:
            logging.getLogger(__name__).warning("list page failed: %s", type(exc).__name__)
            deliver([])

        current().run(
            lambda: students.search_students(
                vault, flt, sort=sort, descending=descending, offset=offset, limit=limit
            ),
            deliver,
            failed,
            quiet=True,
        )

    def refresh(self) -> None:
        """The count and the first page read in the database lane (further pages are read as
        the list scrolls)."""
        self._debounce.stop()
        flt, (sort, descending) = self.current_filter(), self.model.order
        vault = self.vault
        self._loading = True

        def load():
            total = students.count_students(vault, flt)
            rows = students.search_students(
                vault, flt, sort=sort, descending=descending, offset=0, limit=PAGE
            )
            return total, rows

        refresh_in_lane(self, load, self._show_rows)

    def _show_rows(self, data) -> None:
        total, rows = data
        self._loading = False
        self.model.replace(total, rows)
        self.count_label.setText(_("{n} students").format(n=self.model.total))
        if self.model.rowCount():
            self.table.selectRow(0)
        if self._open_when_loaded:
            self._open_when_loaded = False
            self._open_first()

    def _open_first(self) -> None:
        """Enter in the search box opens the first match — of what was typed, even when the
        list is still being read."""
        if self._loading or self._debounce.isActive():
            self._open_when_loaded = True
            if self._debounce.isActive():
                self.refresh()
            return
        index = self.table.currentIndex()
        if not index.isValid() and self.model.rowCount():
            index = self.model.index(0, 0)
        self._open_index(index)

    def _open_index(self, index) -> None:
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is not None:
            self.student_opened.emit(row.id)

    def clear(self) -> None:
        """Forget everything shown; called on lock, so it must not query the vault again."""
        self._debounce.stop()
        self._loading = self._open_when_loaded = False
        self.search.blockSignals(True)
        self.search.clear()
        self.model.clear()
        self.count_label.clear()
