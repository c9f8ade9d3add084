"""预警: the open warnings by level, their review and follow-up plan, and overdue tasks first.

The queue filters by level, status, grade or class, raised date and overdue tasks, and prints as
shown; the pane beside it holds everything about the chosen warning and every action on it.
Several yellow screens can be reviewed together; a 一级/二级 warning is dismissed only alone.
Every decision needs the words the counselor types and, for confirm/dismiss/resolve, an explicit
confirmation; slips are printed only for confirmed warnings and never for a student.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.risk.levels import LEVELS, level, level_name, status_name
from app.scales.scoring import flag_reason
from app.services import warning_detail, warning_rules, warnings
from app.services.permissions import allowed
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.errors import message_for
from app.ui.ops import current, refresh_in_lane, wait
from app.ui.risk_dialogs import ManualWarningDialog, ask_reason, ask_task
from app.ui.tables import setup_table
from app.ui.text_table import TextTable
from app.ui.warning_detail_pane import WarningDetailPane
from app.ui.warning_filters import QueueFilterBar

COLORS = {lv.id: lv.background for lv in LEVELS}


def level_text(level_id: str) -> str:
    return level_name(level_id)


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
        self.overdue.setMaximumHeight(80)
        ol.addWidget(self.overdue, 1)
        ol.addWidget(push_button(_("Mark done"), "task_done_button", self.task_done))
        layout.addWidget(self.overdue_box)

        bar = QHBoxLayout()
        self.summary = QLabel(objectName="warning_summary")
        bar.addWidget(self.summary, 1)
        bar.addWidget(push_button(_("Print this list…"), "print_list_button", self.print_list))
        bar.addWidget(
            push_button(_("Raise a warning by hand…"), "manual_warning_button", self.raise_manual)
        )
        self.evaluate_button = push_button(
            _("Re-evaluate the whole school"), "evaluate_button", self.evaluate
        )
        self.evaluate_button.setToolTip(
            _("New answers raise their warnings at once; use this after changing the rules.")
        )
        self.evaluate_button.setEnabled(allowed(vault.user.role, "edit_student"))
        bar.addWidget(self.evaluate_button)
        layout.addLayout(bar)

        self.filters = QueueFilterBar()
        self.filters.changed.connect(self._reshow)
        for name in ("level_filter", "status_filter", "place_filter", "date_filter"):
            setattr(self, name, getattr(self.filters, name))
        self.overdue_check, self.shown = self.filters.overdue_check, self.filters.shown
        layout.addWidget(self.filters)

        split = QSplitter(Qt.Orientation.Horizontal, objectName="warnings_split")
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
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.row_activated.connect(lambda _r: self.open_student())
        split.addWidget(self.table)
        self.pane = WarningDetailPane()
        self.pane.task_chosen_done.connect(self._complete_task)
        self.pane.record_requested.connect(self.open_record)
        split.addWidget(self.pane)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)
        for name, label, slot, single in (
            ("confirm_button", _("Confirm after interview…"), lambda: self.review(True), False),
            ("dismiss_button", _("Dismiss with a reason…"), lambda: self.review(False), False),
            ("resolve_button", _("Resolve…"), self.resolve, True),
            ("network_button", _("Notify the network…"), self.open_network, True),
            ("crisis_button", _("Start crisis intervention…"), self.start_crisis, True),
            ("conference_button", _("Case conference…"), self.new_conference, True),
            ("slips_button", _("Print slips…"), self.print_slips, False),
            ("open_student_button", _("Open the archive"), self.open_student, True),
        ):
            self.pane.add_action(push_button(label, name, slot), single=single)
        self.pane.add_task_button(
            push_button(_("Add follow-up task…"), "task_button", self.add_task)
        )
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._chosen_changed())
        self.rows: list[warnings.WarningRow] = []
        self._data: tuple | None = None
        self._detail_id: str | None = None
        self.refresh()

    def refresh(self) -> None:
        """Read in the database lane, shown here (the filters only choose what is shown)."""
        refresh_in_lane(self, self._load, self._show)

    def _reshow(self) -> None:
        """A filter changed: the rows read last time, filtered anew (no new read)."""
        if self._data is None:
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
        chosen = {r.id for r in self.chosen()}
        self.overdue.clear()
        for t in overdue:
            item = QListWidgetItem(f"{t.due_on:%m-%d}  {t.student_name}  {t.title}")
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            self.overdue.addItem(item)
        self.overdue_box.setVisible(self.overdue.count() > 0)
        counts = {lv.id: sum(1 for r in everything if r.level == lv.id) for lv in LEVELS}
        self.filters.fill_places(grades)
        late = frozenset(t.warning_id for t in overdue)
        self.rows = warnings.select_rows(everything, self.filters.queue_filter(), late)
        self.summary.setText("   ".join(f"{level_text(k)}: {v}" for k, v in counts.items()))
        self.shown.setText(
            _("Showing {n} of {total}").format(n=len(self.rows), total=len(everything))
        )
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
        self._choose({i for i, r in enumerate(self.rows) if r.id in chosen})

    def _choose(self, rows: set[int]) -> None:
        """The rows chosen before a refresh, chosen again (the pane follows)."""
        model, sel = self.table.model(), self.table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for r in sorted(rows):
            sel.select(model.index(r, 0), flags)
        if rows:
            self.table.setCurrentIndex(model.index(min(rows), 0))
        self._chosen_changed()

    def chosen(self) -> list[warnings.WarningRow]:
        """The warnings chosen in the list, in list order."""
        picked = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.rows[r] for r in picked if r < len(self.rows)]

    def _chosen_changed(self) -> None:
        chosen = self.chosen()
        if len(chosen) == 1:
            self._detail_id = chosen[0].id
            self._load_detail()
            return
        self._detail_id = None
        if chosen:
            self.pane.show_many(chosen)
        else:
            self.pane.show_nothing()

    def _load_detail(self) -> None:
        vault = self.vault

        def load():
            wid = self._detail_id
            return None if wid is None else warning_detail.detail(vault, wid)

        def show(d) -> None:
            if d is not None and d.id == self._detail_id:
                self.pane.show_detail(d)

        refresh_in_lane(self, load, show, key="detail")

    def show_filtered(self, level: str | None, place: str | None) -> None:
        """From a count on the home page: the queue at that level (and grade or class) only."""
        self.filters.set_to(level, place)
        self.refresh()

    def current(self) -> warnings.WarningRow | None:
        """The one warning chosen, or None when none or several are."""
        chosen = self.chosen()
        return chosen[0] if len(chosen) == 1 else None

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
                self._load_detail()
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
        """One warning, or several chosen together (the yellow screens after a screening)."""
        chosen = self.chosen()
        if not chosen:
            return self._pick_first() is not None
        title = _("Confirm the warning") if confirmed else _("Dismiss the warning")
        prompt = (
            _("What did the interview show?") if confirmed else _("Why is this warning dismissed?")
        )
        if len(chosen) == 1:
            w = chosen[0]
            summary = self._summary(w)
            question = (
                _("Confirm {who} as {level}?")
                if confirmed
                else _("Dismiss the {level} warning of {who}? It leaves the queue.")
            ).format(who=w.student_name, level=level_text(w.level))
        else:
            names = "、".join(w.student_name for w in chosen[:8]) + ("…" if len(chosen) > 8 else "")
            summary = _("{n} warnings: {names}").format(n=len(chosen), names=names)
            question = (
                _("Confirm these {n} warnings with the same note?")
                if confirmed
                else _("Dismiss these {n} warnings with the same reason? They leave the queue.")
            ).format(n=len(chosen))
        note = ask_reason(self, title, prompt, summary=summary, confirm=question)
        if note is None:
            return False
        vault, ids = self.vault, [w.id for w in chosen]
        if len(ids) == 1:
            return self._run(lambda: warnings.review(vault, ids[0], confirmed=confirmed, note=note))
        return self._run(lambda: warnings.review_many(vault, ids, confirmed=confirmed, note=note))

    def add_task(self) -> bool:
        w = self._pick_first()
        if w is None:
            return False
        answer = ask_task(self, self._summary(w))
        if answer is None:
            return False
        title, due = answer
        vault = self.vault
        return self._run(lambda: warnings.add_task(vault, w.id, title, due))

    def _complete_task(self, task_id: str) -> None:
        vault = self.vault
        self._run(lambda: warnings.complete_task(vault, task_id))

    def open_record(self, record_id: str):
        """A crisis or referral record from the pane, in its own form."""
        from app.services import records
        from app.ui.record_form import RecordForm

        record = wait(lambda: records.get_record(self.vault, record_id))
        form = RecordForm(self.vault, record.kind, record=record, parent=self)
        form.finished.connect(lambda result: result and self._load_detail())
        form.open()
        return form

    def print_list(self):
        """The list as filtered now, with its filter written under the title."""
        from app.services import printing
        from app.ui.print_preview import show_document

        if not self.rows:
            QMessageBox.information(self, _("Print this list…"), _("The list is empty."))
            return None
        ids = [r.id for r in self.rows]
        what = self.filters.describe()
        vault = self.vault
        return show_document(
            self, vault, lambda: printing.warning_list(vault, ids, what), _("Warning list")
        )

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

    def new_conference(self):
        """研判 for the chosen warning's student, its reason taken from the warning."""
        from app.ui.record_form import RecordForm

        w = self._pick_first()
        if w is None:
            return None
        form = RecordForm(self.vault, "case_conference", student_id=w.student_id, parent=self)
        basis = form.editors["basis"]
        basis.setCurrentIndex(basis.findData("red_warning" if w.level == "red" else "other"))
        form.finished.connect(lambda result: result and self._load_detail())
        form.open()
        return form

    def print_slips(self):
        """Slips for the selected warning (or every confirmed one), worded for one role."""
        from app.reports.documents import ROLE_TITLES
        from app.services import printing
        from app.ui.print_preview import show_document

        chosen = self.chosen() or [r for r in self.rows if r.status == "confirmed"]
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
