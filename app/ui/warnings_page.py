"""预警: the open warnings by level, their review and follow-up plan, and overdue tasks first.

Every decision needs the words the counselor types and, for confirm/dismiss/resolve, an explicit
confirmation; slips are printed only for confirmed warnings and never for a student.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.risk.levels import LEVELS, level, level_name, status_name
from app.scales.scoring import flag_reason
from app.services import warning_rules, warnings
from app.services.permissions import allowed
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.errors import message_for
from app.ui.ops import current, refresh_in_lane, wait
from app.ui.risk_dialogs import ManualWarningDialog, ask_reason
from app.ui.tables import setup_table
from app.ui.text_table import TextTable

COLORS = {lv.id: lv.background for lv in LEVELS}


def level_text(level_id: str) -> str:
    return level_name(level_id)


def _places(row: warnings.WarningRow) -> tuple[str, ...]:
    """The filter keys a warning falls under: its grade and its class."""
    return tuple(p for p in (grade_key(row.grade), class_key(row.class_label)) if p)


def grade_key(grade: str) -> str:
    return f"grade:{grade}" if grade else ""


def class_key(class_label: str) -> str:
    return f"class:{class_label}" if class_label else ""


def place_label(key: str) -> str:
    kind, _sep, name = key.partition(":")
    return _("{grade} (all classes)").format(grade=name) if kind == "grade" else name


class WarningsPage(QWidget):
    changed = Signal()  # a warning was reviewed, resolved or raised here
    student_requested = Signal(str)

    def __init__(self, vault: OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("warnings_page")
        self.vault = vault
        layout = QVBoxLayout(self)
        self.overdue_box = QGroupBox(_("Overdue follow-up tasks"), objectName="overdue_group")
        self.overdue_box.setStyleSheet("QGroupBox { color: #b00020; font-weight: bold; }")
        ol = QHBoxLayout(self.overdue_box)
        self.overdue = QListWidget(objectName="overdue_list")
        self.overdue.setMaximumHeight(110)
        ol.addWidget(self.overdue, 1)
        done = QPushButton(_("Mark done"), objectName="task_done_button")
        done.clicked.connect(lambda: self.task_done())
        ol.addWidget(done)
        layout.addWidget(self.overdue_box)

        bar = QHBoxLayout()
        self.summary = QLabel(objectName="warning_summary")
        bar.addWidget(self.summary, 1)
        self.level_filter = QComboBox(objectName="level_filter")
        self.level_filter.addItem(_("All levels"), None)
        for lv in LEVELS:
            self.level_filter.addItem(level_text(lv.id), lv.id)
        self.level_filter.currentIndexChanged.connect(lambda _i: self._reshow())
        bar.addWidget(self.level_filter)
        self.place_filter = QComboBox(objectName="place_filter")
        self.place_filter.addItem(_("All grades and classes"), None)
        self.place_filter.currentIndexChanged.connect(lambda _i: self._reshow())
        bar.addWidget(self.place_filter)
        manual = QPushButton(_("Raise a warning by hand…"), objectName="manual_warning_button")
        manual.clicked.connect(lambda: self.raise_manual())
        bar.addWidget(manual)
        self.evaluate_button = QPushButton(
            _("Re-evaluate the whole school"), objectName="evaluate_button"
        )
        self.evaluate_button.setToolTip(
            _("New answers raise their warnings at once; use this after changing the rules.")
        )
        self.evaluate_button.clicked.connect(lambda: self.evaluate())
        self.evaluate_button.setEnabled(allowed(vault.user.role, "edit_student"))
        bar.addWidget(self.evaluate_button)
        layout.addLayout(bar)

        self.table = TextTable(
            [
                _("Level"),
                _("Student"),
                _("Class"),
                _("Rule"),
                _("Status"),
                _("Raised"),
                _("Needs checking"),
            ],
            "warning_table",
        )
        setup_table(self.table, stretch=3)  # the rule's words take the spare width
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.row_activated.connect(lambda _r: self.open_student())
        layout.addWidget(self.table, 1)

        actions = QHBoxLayout()
        for name, label, slot in (
            ("confirm_button", _("Confirm after interview…"), lambda: self.review(True)),
            ("dismiss_button", _("Dismiss with a reason…"), lambda: self.review(False)),
            ("task_button", _("Add follow-up task…"), lambda: self.add_task()),
            ("resolve_button", _("Resolve…"), lambda: self.resolve()),
            ("network_button", _("Notify the network…"), lambda: self.open_network()),
            ("crisis_button", _("Start crisis intervention…"), lambda: self.start_crisis()),
            ("slips_button", _("Print slips…"), lambda: self.print_slips()),
            ("open_student_button", _("Open the archive"), lambda: self.open_student()),
        ):
            b = push_button(label, name, slot)
            actions.addWidget(b)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.rows: list[warnings.WarningRow] = []
        self.refresh()

    def refresh(self) -> None:
        """Read in the database lane, shown here (the filters only choose what is shown)."""
        refresh_in_lane(self, self._load, self._show)

    def _reshow(self) -> None:
        """A filter changed: the rows read last time, filtered anew (no new read)."""
        if getattr(self, "_data", None) is None:
            self.refresh()
        else:
            self._show(self._data)

    def _load(self) -> tuple:
        from app.services import students

        vault = self.vault
        return (
            warnings.overdue_tasks(vault),
            warnings.queue(vault),
            students.grades_and_classes(vault),
            warning_rules.rule_names(vault),
        )

    def _show(self, data: tuple) -> None:
        overdue, everything, grades, rules = data
        self._data = data
        self.overdue.clear()
        for t in overdue:
            item = QListWidgetItem(f"{t.due_on:%m-%d}  {t.student_name}  {t.title}")
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            self.overdue.addItem(item)
        self.overdue_box.setVisible(self.overdue.count() > 0)
        counts = {lv.id: sum(1 for r in everything if r.level == lv.id) for lv in LEVELS}
        only = self.level_filter.currentData()
        self._fill_places(grades)
        place = self.place_filter.currentData()
        self.rows = [
            r
            for r in everything
            if (only is None or r.level == only) and (place is None or place in _places(r))
        ]
        self.summary.setText("   ".join(f"{level_text(k)}: {v}" for k, v in counts.items()))
        self.table.set_rows(
            [
                (
                    level_text(w.level),
                    w.student_name,
                    w.class_label,
                    rules.get(w.rule_id, w.rule_id),
                    status_name(w.status),
                    f"{w.raised_at:%Y-%m-%d}",
                    "、".join(flag_reason(f) for f in w.flags),
                )
                for w in self.rows
            ],
            [level(w.level).background for w in self.rows],
        )

    def show_filtered(self, level: str | None, place: str | None) -> None:
        """From a count on the home page: the queue at that level (and grade or class) only."""
        self.place_filter.blockSignals(True)
        self.place_filter.setCurrentIndex(max(0, self.place_filter.findData(place)))
        self.place_filter.blockSignals(False)
        self.level_filter.blockSignals(True)
        self.level_filter.setCurrentIndex(max(0, self.level_filter.findData(level)))
        self.level_filter.blockSignals(False)
        self.refresh()

    def _fill_places(self, grades) -> None:
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

    def current(self) -> warnings.WarningRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _run(self, action) -> bool:
        """The change is made in the database lane; the queue is read again once it is stored,
        or the reason it was refused is shown. False when refused before returning (the
        tests' inline lanes finish at once); True when stored or still on its way."""
        import shiboken6

        outcome: list[bool] = []

        def done(_value) -> None:
            outcome.append(True)
            if shiboken6.isValid(self):
                self.refresh()
                self.changed.emit()

        def failed(exc: BaseException) -> None:
            outcome.append(False)
            if shiboken6.isValid(self):
                QMessageBox.warning(self, _("Warnings"), message_for(exc))

        current().run(action, done, failed)
        return outcome[0] if outcome else True

    def _pick_first(self) -> warnings.WarningRow | None:
        w = self.current()
        if w is None:
            QMessageBox.information(self, _("Warnings"), _("Select a warning in the list first."))
        return w

    def _summary(self, w: warnings.WarningRow) -> str:
        return f"{w.student_name}（{w.class_label}）· {level_text(w.level)}"

    def review(self, confirmed: bool) -> bool:
        w = self._pick_first()
        if w is None:
            return False
        note = ask_reason(
            self,
            _("Confirm the warning") if confirmed else _("Dismiss the warning"),
            _("What did the interview show?") if confirmed else _("Why is this warning dismissed?"),
            summary=self._summary(w),
            confirm=(
                _("Confirm {who} as {level}?")
                if confirmed
                else _("Dismiss the {level} warning of {who}? It leaves the queue.")
            ).format(who=w.student_name, level=level_text(w.level)),
        )
        if note is None:
            return False
        vault = self.vault
        return self._run(lambda: warnings.review(vault, w.id, confirmed=confirmed, note=note))

    def add_task(self) -> bool:
        w = self._pick_first()
        if w is None:
            return False
        dialog = QDialog(self)
        dialog.setObjectName("task_dialog")
        dialog.setWindowTitle(_("Add follow-up task"))
        form = QFormLayout(dialog)
        title_edit = QLineEdit(objectName="task_title_edit")
        due_edit = QDateEdit(QDate.currentDate().addDays(7), objectName="task_due_edit")
        due_edit.setCalendarPopup(True)
        form.addRow(_("Task"), title_edit)
        form.addRow(_("Due"), due_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        if not dialog.exec():
            return False
        title, due = title_edit.text(), due_edit.date().toPython()
        vault = self.vault
        return self._run(lambda: warnings.add_task(vault, w.id, title, due))

    def resolve(self) -> bool:
        w = self._pick_first()
        if w is None:
            return False
        note = ask_reason(
            self,
            _("Resolve the warning"),
            _("How was it resolved?"),
            summary=self._summary(w),
            confirm=_("Resolve the {level} warning of {who}? It leaves the queue.").format(
                who=w.student_name, level=level_text(w.level)
            ),
        )
        if note is None:
            return False
        vault = self.vault
        return self._run(lambda: warnings.resolve(vault, w.id, note))

    def raise_manual(self) -> str | None:
        dialog = ManualWarningDialog(self.vault, None, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self.changed.emit()
        return dialog.warning_id

    def open_student(self) -> None:
        w = self.current()
        if w is not None:
            self.student_requested.emit(w.student_id)

    def open_network(self):
        from app.ui.network_dialog import NetworkDialog

        w = self._pick_first()
        if w is None:
            return None
        dialog = NetworkDialog(self.vault, w.id, w.student_id, self)
        dialog.open()
        return dialog

    def start_crisis(self):
        """From the selected warning to the crisis checklist in one step."""
        from app.services import crisis, records
        from app.ui.record_form import RecordForm

        w = self._pick_first()
        if w is None:
            return None
        record = wait(
            lambda: records.get_record(
                self.vault,
                crisis.start_crisis(
                    self.vault, w.student_id, trigger="warning", warning_id=w.id
                ).id,
            )
        )
        form = RecordForm(self.vault, "crisis", record=record, parent=self)
        form.open()
        return form

    def print_slips(self):
        """Slips for the selected warning (or every confirmed one), worded for one role."""
        from app.reports.documents import ROLE_TITLES
        from app.services import printing
        from app.ui.print_preview import show_document

        w = self.current()
        chosen = [w] if w is not None else [r for r in self.rows if r.status == "confirmed"]
        confirmed = [r.id for r in chosen if r.status == "confirmed"]
        if not confirmed:
            QMessageBox.information(
                self,
                _("Print slips"),
                _("Slips are printed only for warnings confirmed after an interview."),
            )
            return None
        roles = list(ROLE_TITLES)
        labels = [ROLE_TITLES[r] for r in roles]
        label, ok = QInputDialog.getItem(
            self, _("Print slips"), _("For whom?"), labels, labels.index("班主任"), False
        )
        if not ok:
            return None
        role = roles[labels.index(label)]
        try:
            return show_document(
                self, self.vault, lambda: printing.slips(self.vault, confirmed, role), _("Slips")
            )
        except Exception as exc:
            QMessageBox.warning(self, _("Print slips"), message_for(exc))
            return None

    def task_done(self) -> None:
        item = self.overdue.currentItem() or self.overdue.item(0)
        if item is not None:
            vault, task_id = self.vault, item.data(Qt.ItemDataRole.UserRole)
            self._run(lambda: warnings.complete_task(vault, task_id))

    def evaluate(self) -> None:
        """The whole school, in the database lane (seconds at a large school)."""
        from app.ui.ops import current

        vault = self.vault
        self.evaluate_button.setEnabled(False)

        def done(report: warnings.EvaluationReport) -> None:
            self.evaluate_button.setEnabled(True)
            self.refresh()
            self.changed.emit()
            text = _("New: {raised}, escalated: {escalated}").format(
                raised=report.raised, escalated=report.escalated
            )
            if report.failures:
                text += "   " + _("{n} rule evaluations failed (see the audit log)").format(
                    n=len(report.failures)
                )
            self.summary.setText(self.summary.text() + "   " + text)

        def failed(exc: BaseException) -> None:
            self.evaluate_button.setEnabled(True)
            QMessageBox.warning(self, _("Warnings"), message_for(exc))

        current().long(
            _("Re-evaluating the warning rules…"),
            lambda _p: warnings.evaluate_all(vault),
            done,
            failed,
        )
