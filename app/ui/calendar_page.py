"""日程: the week's appointments and due follow-ups, a column a day, clashes in red; PageUp and
PageDown turn the week, Enter on a line opens the student."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import schedule
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.ops import refresh_in_lane

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
CLASH = QColor("#ffcdd2")
TODAY = "QLabel { background: #e3f2fd; font-weight: bold; padding: 2px }"


class CalendarPage(QWidget):
    student_requested = Signal(str)

    def __init__(self, vault: OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendar_page")
        self.vault = vault
        self.monday = schedule.week_start(dt.date.today())
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        for name, label, step in (
            ("previous_week_button", _("◀ Previous week (PgUp)"), -7),
            ("this_week_button", _("This week"), 0),
            ("next_week_button", _("Next week (PgDn) ▶"), 7),
        ):
            bar.addWidget(push_button(label, name, lambda s=step: self.turn(s)))
        self.range = QLabel(objectName="week_range")
        self.range.setStyleSheet("font-size: 16px; font-weight: bold")
        bar.addWidget(self.range, 1)
        self.clashes = QLabel(objectName="clash_summary")
        self.clashes.setStyleSheet("color: #b00020")
        bar.addWidget(self.clashes)
        layout.addLayout(bar)
        grid = QGridLayout()
        self.heads: list[QLabel] = []
        self.days: list[QListWidget] = []
        for i in range(7):
            head = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
            day = QListWidget(objectName=f"day_{i}")
            day.setWordWrap(True)
            day.itemActivated.connect(self._open)
            day.installEventFilter(self)  # PgUp/PgDn turn the week, not scroll the day
            grid.addWidget(head, 0, i)
            grid.addWidget(day, 1, i)
            grid.setColumnStretch(i, 1)
            self.heads.append(head)
            self.days.append(day)
        layout.addLayout(grid, 1)
        QShortcut(QKeySequence(Qt.Key.Key_PageUp), self, activated=lambda: self.turn(-7))
        QShortcut(QKeySequence(Qt.Key.Key_PageDown), self, activated=lambda: self.turn(7))
        self.refresh()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.KeyPress and event.key() in (
            Qt.Key.Key_PageUp,
            Qt.Key.Key_PageDown,
        ):
            self.turn(-7 if event.key() == Qt.Key.Key_PageUp else 7)
            return True
        return super().eventFilter(obj, event)

    def turn(self, days: int) -> None:
        today = schedule.week_start(dt.date.today())
        self.monday = today if days == 0 else self.monday + dt.timedelta(days=days)
        self.refresh()

    def refresh(self) -> None:
        vault, monday = self.vault, self.monday
        refresh_in_lane(self, lambda: (monday, schedule.week(vault, monday)), self._show)

    def _show(self, data) -> None:
        monday, week = data
        if monday != self.monday:
            self.refresh()  # turned meanwhile
            return
        sunday = monday + dt.timedelta(days=6)
        self.range.setText(f"{monday:%Y-%m-%d} — {sunday:%m-%d}")
        clashes = 0
        for i, (day, bookings) in enumerate(week.items()):
            self.heads[i].setText(f"{WEEKDAYS[i]} {day:%m-%d}（{len(bookings)}）")
            self.heads[i].setStyleSheet(TODAY if day == dt.date.today() else "")
            lst = self.days[i]
            lst.clear()
            for b in bookings:
                u = b.item
                clock = f"{u.when:%H:%M} " if u.timed else ""
                item = QListWidgetItem(f"{clock}{u.student_name}\n{u.what}")
                item.setData(Qt.ItemDataRole.UserRole, u.student_id)
                if b.clashes_with:
                    clashes += 1
                    item.setBackground(CLASH)
                    item.setToolTip(_("Clashes with {who}").format(who="、".join(b.clashes_with)))
                lst.addItem(item)
        self.clashes.setText(_("{n} bookings clash").format(n=clashes) if clashes else "")

    def _open(self, item: QListWidgetItem) -> None:
        sid = item.data(Qt.ItemDataRole.UserRole)
        if sid:
            self.student_requested.emit(sid)
