"""首页: what needs doing first — overdue follow-ups, open warnings by level, today's schedule,
and, for the counseling lead, open warnings per class (counts only, no names)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.risk.levels import LEVELS, URGENT, level_name
from app.services import first_run, records, warnings
from app.services.permissions import ADMIN
from app.services.vaults import OpenVault
from app.ui.ops import refresh_in_lane
from app.ui.row_list import RowList
from app.ui.tables import ALL, setup_table
from app.ui.warning_filters import class_key, grade_key, place_label


@dataclass(frozen=True)
class _HomeData:
    overdue: list
    queue: list
    today: list
    grades: dict
    classes: dict
    steps: list = ()


class HomePage(QWidget):
    section_requested = Signal(str)
    student_requested = Signal(str)  # a row double-clicked: that student's archive
    level_requested = Signal(str)  # a count clicked: the queue at that level
    place_requested = Signal(str, str)  # a class row: the queue for that grade/class (and level)

    def __init__(self, vault: OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("home_page")
        self.vault = vault
        layout = QVBoxLayout(self)
        self.greeting = QLabel(objectName="home_greeting")
        self.greeting.setStyleSheet("font-size: 18px; font-weight: bold")
        layout.addWidget(self.greeting)
        self.first_run = QGroupBox(_("Getting started"), objectName="first_run_box")
        self.first_run.setStyleSheet("QGroupBox { font-weight: bold; }")
        steps_row = QHBoxLayout(self.first_run)
        self.steps: dict[str, QPushButton] = {}
        for key, _label, section in first_run.STEPS:
            button = QPushButton(objectName=f"first_run_{key}")
            button.clicked.connect(lambda _c=False, s=section: self.section_requested.emit(s))
            steps_row.addWidget(button)
            self.steps[key] = button
        self.first_run.hide()
        layout.addWidget(self.first_run)

        self.overdue = self._list(layout, _("Overdue follow-up tasks"), "home_overdue", "#b00020")
        top = QHBoxLayout()
        self.levels: dict[str, QPushButton] = {}
        for lv in LEVELS:
            level, color = lv.id, lv.background
            tile = QPushButton(objectName=f"home_level_{level}")
            tile.setCursor(Qt.CursorShape.PointingHandCursor)
            tile.setToolTip(_("Show these students in the warning queue"))
            tile.setStyleSheet(
                f"QPushButton {{ background: {color}; padding: 14px; font-size: 16px; "
                "border: none; border-radius: 6px }"
                "QPushButton:hover { border: 2px solid #555 }"
            )
            tile.clicked.connect(lambda _c=False, lv_id=level: self.level_requested.emit(lv_id))
            self.levels[level] = tile
            top.addWidget(tile)
        layout.addLayout(top)
        row = QHBoxLayout()
        self.urgent = self._list(row, _("Level 1 and 2 warnings"), "home_urgent")
        self.today = self._list(row, _("Today's appointments and follow-ups"), "home_today")
        layout.addLayout(row, 1)
        self.by_class = QTableWidget(0, 5, objectName="home_by_class")
        self.by_class.setHorizontalHeaderLabels([_("Class")] + [lv.name for lv in LEVELS])
        setup_table(self.by_class, stretch=ALL)
        self.by_class.setToolTip(_("Double-click a row to see these warnings in the queue"))
        self.by_class.cellActivated.connect(self._open_place)
        self.by_class_box = QGroupBox(_("Open warnings by grade and class (counseling lead)"))
        QVBoxLayout(self.by_class_box).addWidget(self.by_class)
        layout.addWidget(self.by_class_box, 1)
        for lst in (self.urgent, self.overdue, self.today):
            lst.row_activated.connect(self._open_student)
        self.refresh()

    def _open_student(self, student_id: object) -> None:
        if student_id:
            self.student_requested.emit(student_id)

    def _open_place(self, row: int, column: int) -> None:
        first = self.by_class.item(row, 0)
        if first is None:
            return
        level = LEVELS[column - 1].id if column > 0 else ""
        self.place_requested.emit(first.data(Qt.ItemDataRole.UserRole), level)

    def _list(self, layout, title: str, name: str, color: str | None = None) -> RowList:
        box = QGroupBox(title)
        if color:
            box.setStyleSheet(f"QGroupBox {{ color: {color}; font-weight: bold; }}")
        lst = RowList(name)
        QVBoxLayout(box).addWidget(lst)
        layout.addWidget(box)
        lst.setProperty("box", box)
        return lst

    def refresh(self) -> None:
        """Read in the database lane (seconds at a large school with history), shown here."""
        self.greeting.setText(
            _("Hello, {name}. Today is {date}.").format(
                name=self.vault.user.display_name, date=dt.date.today().isoformat()
            )
        )
        refresh_in_lane(self, self._load, self._show)

    def _load(self) -> _HomeData:
        now = dt.datetime.now()
        vault = self.vault
        admin = vault.user.role == ADMIN
        return _HomeData(
            overdue=warnings.overdue_tasks(vault),
            queue=warnings.queue(vault),
            today=records.upcoming(vault, now.replace(hour=23, minute=59), now=now),
            grades=warnings.counts_by_grade(vault) if admin else {},
            classes=warnings.counts_by_class(vault) if admin else {},
            steps=first_run.checklist(vault),
        )

    def _show_steps(self, steps) -> None:
        """Each step ticked by the archive's own state; the box goes once all four are done."""
        for step in steps:
            button = self.steps[step.key]
            button.setText(("✓ " if step.done else "○ ") + step.label)
            button.setEnabled(not step.done)
            button.setToolTip("" if step.done else _("Go to the page where this is done"))
        self.first_run.setVisible(bool(steps) and not first_run.finished(steps))

    def _show(self, data: _HomeData) -> None:
        self._show_steps(data.steps)
        self.overdue.set_rows(
            [(f"{t.due_on:%m-%d}  {t.student_name}  {t.title}", t.student_id) for t in data.overdue]
        )
        self.overdue.property("box").setVisible(self.overdue.count() > 0)
        if self.overdue.count():  # as tall as its lines (up to four): the rest is for the counts
            lines = min(4, self.overdue.count())
            frame = 2 * self.overdue.frameWidth() + 4
            self.overdue.setFixedHeight(lines * self.overdue.sizeHintForRow(0) + frame)
        queue = data.queue
        for level, label in self.levels.items():
            label.setText(f"{level_name(level)}\n{sum(1 for w in queue if w.level == level)}")
        self.urgent.set_rows(
            [
                (f"{level_name(w.level)}  {w.student_name}（{w.class_label}）", w.student_id)
                for w in queue
                if w.level in URGENT
            ],
            background=QColor(Qt.GlobalColor.white),
        )
        today = dt.date.today()  # an overdue follow-up says its day
        self.today.set_rows(
            [
                (
                    (f"{u.when:%H:%M}  " if u.when.date() == today else f"{u.when:%m-%d %H:%M}  ")
                    + f"{u.student_name}  {u.what}",
                    u.student_id,
                )
                for u in data.today
            ]
        )
        self.by_class_box.setVisible(self.vault.user.role == ADMIN)
        grades, classes = data.grades, data.classes
        rows = []
        for g, per_level in grades.items():  # each grade, then its classes
            rows.append((grade_key(g), per_level, True))
            rows += [(class_key(k), v, False) for k, v in classes.items() if k.startswith(g)]
        self.by_class.setRowCount(len(rows))
        for r, (key, per_level, bold) in enumerate(rows):
            for c, text in enumerate([place_label(key)] + [str(per_level[lv.id]) for lv in LEVELS]):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, key)
                if bold:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.by_class.setItem(r, c, item)
