"""The warnings page's right-hand pane: everything about the chosen warning in one place — the
evidence in words, what was decided, the level over time, the tasks, who was told, the crisis and
referral records — and every action on it. With several warnings chosen it lists them for a
review in one step."""

from __future__ import annotations

import datetime as dt
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.records.kinds import KINDS
from app.risk.levels import level, level_name, status_name
from app.services.warning_detail import WarningDetail
from app.services.warnings import WarningRow
from app.ui.buttons import push_button

PLAIN_TITLE = "font-weight: bold; padding: 4px"


def _section(title: str, lines) -> str:
    lines = list(lines)
    if not lines:
        return ""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return f"<h4 style='margin:6px 0 2px 0'>{escape(title)}</h4><ul style='margin:0'>{items}</ul>"


def detail_html(d: WarningDetail) -> str:
    history = [
        f"{h.raised_at:%Y-%m-%d}  {level_name(h.level)}  {status_name(h.status)}  {h.rule}"
        + ("  ◀" if h.warning_id == d.id else "")
        for h in d.history
    ]
    parts = [
        _section(_("Evidence"), d.evidence or [_("(none recorded)")]),
        _section(_("Needs checking"), d.flags),
        _section(_("Decisions"), d.decisions),
        _section(_("Level over time"), history),
        _section(_("Network notified"), d.notifications or [_("Nobody has been notified yet.")]),
        _section(_("Referral, hospital and return to school"), d.loop),
    ]
    return "".join(parts)


class WarningDetailPane(QWidget):
    task_chosen_done = Signal(str)  # a task's id
    record_requested = Signal(str)  # a crisis or referral record's id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("warning_detail")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(objectName="detail_scroll")  # a short screen scrolls the detail,
        scroll.setWidgetResizable(True)  # the actions below it stay in view
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget()
        scroll.setWidget(content)
        outer.addWidget(scroll, 1)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(objectName="detail_title", wordWrap=True)
        self.title.setStyleSheet(PLAIN_TITLE)
        layout.addWidget(self.title)
        self.text = QTextBrowser(objectName="detail_text")
        self.text.setOpenLinks(False)
        self.text.setMinimumHeight(60)
        layout.addWidget(self.text, 1)

        tasks = QGroupBox(_("Follow-up tasks"))
        tl = QVBoxLayout(tasks)
        self.tasks = QListWidget(objectName="detail_tasks")
        self.tasks.setMaximumHeight(64)
        tl.addWidget(self.tasks)
        self.task_row = QGridLayout()
        tl.addLayout(self.task_row)
        self.task_done = push_button(_("Mark done"), "detail_task_done_button", self._task_done)
        self.task_row.addWidget(self.task_done, 0, 1)
        layout.addWidget(tasks)

        linked = QGroupBox(_("Linked records (Enter opens)"))
        ll = QVBoxLayout(linked)
        self.linked = QListWidget(objectName="detail_linked")
        self.linked.setMaximumHeight(44)
        self.linked.itemActivated.connect(
            lambda item: self.record_requested.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        ll.addWidget(self.linked)
        layout.addWidget(linked)

        self.actions = QGridLayout()
        outer.addLayout(self.actions)
        self.single_only: list[QPushButton] = []
        self.show_nothing()

    def add_action(self, button: QPushButton, *, single: bool) -> None:
        """An action on the chosen warning; `single`: needs exactly one chosen."""
        n = self.actions.count()
        self.actions.addWidget(button, n // 3, n % 3)
        if single:
            self.single_only.append(button)

    def add_task_button(self, button: QPushButton) -> None:
        self.task_row.addWidget(button, 0, 0)
        self.single_only.append(button)

    def _singles(self, enabled: bool) -> None:
        for b in self.single_only:
            b.setEnabled(enabled)
        self.task_done.setEnabled(enabled and self.tasks.count() > 0)

    def show_nothing(self) -> None:
        self.title.setStyleSheet(PLAIN_TITLE)
        self.title.setText(_("Choose a warning in the list to see its evidence and history."))
        self.text.clear()
        self.tasks.clear()
        self.linked.clear()
        self._singles(False)

    def show_many(self, rows: list[WarningRow]) -> None:
        self.title.setStyleSheet(PLAIN_TITLE)
        self.title.setText(_("{n} warnings chosen").format(n=len(rows)))
        lines = [f"{level_name(r.level)}  {r.student_name}（{r.class_label}）" for r in rows[:200]]
        if len(rows) > 200:
            lines.append("…")
        self.text.setHtml(
            _section(_("Review them together: confirm, or dismiss with one reason"), lines)
        )
        self.tasks.clear()
        self.linked.clear()
        self._singles(False)

    def show_detail(self, d: WarningDetail, today: dt.date | None = None) -> None:
        today = today or dt.date.today()
        who = d.student_name + (
            f"（{d.class_label}" + (f"，{d.student_no}" if d.student_no else "")
        )
        self.title.setText(
            f"{who}）· {level_name(d.level)} · {status_name(d.status)}\n"
            + _("Raised {day} by {rule}").format(day=f"{d.raised_at:%Y-%m-%d}", rule=d.rule)
        )
        self.title.setStyleSheet(
            f"font-weight: bold; padding: 4px; background: {level(d.level).background}"
        )
        self.text.setHtml(detail_html(d))
        self.tasks.clear()
        for t in d.tasks:
            if t.done_at is not None:
                text = f"✓ {t.due_on:%m-%d}  {t.title}"
            elif t.overdue(today):
                text = f"！{t.due_on:%m-%d}  {t.title}（" + _("overdue") + "）"
            else:
                text = f"○ {t.due_on:%m-%d}  {t.title}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, t.id if t.done_at is None else None)
            self.tasks.addItem(item)
        self.linked.clear()
        for link in d.linked:
            item = QListWidgetItem(
                f"{link.occurred_at:%Y-%m-%d}  {_(KINDS[link.kind].label)}：{link.text}"
            )
            item.setData(Qt.ItemDataRole.UserRole, link.record_id)
            self.linked.addItem(item)
        self._singles(True)
        self.task_done.setEnabled(any(t.done_at is None for t in d.tasks))

    def _task_done(self) -> None:
        """The chosen open task, or the first open one."""
        items = [self.tasks.currentItem()] + [self.tasks.item(i) for i in range(self.tasks.count())]
        for item in items:
            if item is not None and item.data(Qt.ItemDataRole.UserRole):
                self.task_chosen_done.emit(item.data(Qt.ItemDataRole.UserRole))
                return
