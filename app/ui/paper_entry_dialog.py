"""Paper answer sheets for a class, in roster order: type digits, the cursor moves on by itself.

With double entry on, each Save keeps one pass in the vault (the first, or blind the second,
typed by another user); passes that agree enter the archive, those that differ go to 核对.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.i18n import _
from app.scales.definition import ScaleDefinition
from app.scales.scoring import score
from app.services import assessments, double_entry, paper_entry, plans, students
from app.services.vaults import OpenVault
from app.ui.errors import message_for
from app.ui.form_parts import error_label
from app.ui.lifecycle import dispose_later
from app.ui.ops import wait

REFUSED = QBrush(QColor("#ffe0b2"))


class EntryGrid(QTableWidget):
    """Rows are students, columns are items then the live total; digits only, auto-advance.

    A key that is not an answer on the sheet leaves the cursor where it was and says why
    (`refused`): the next digit goes into the same item, so a row can never shift left."""

    refused = Signal(str)  # why a key was not taken, in words
    accepted_key = Signal()

    def __init__(self, defn: ScaleDefinition, rows: list[students.StudentRow]) -> None:
        self.defn = defn
        n = self.defn.item_count
        super().__init__(len(rows), n + 1)
        self.setObjectName("paper_grid")
        self.rows = rows
        self.setHorizontalHeaderLabels([str(i) for i in range(1, n + 1)] + [_("Total")])
        self.setVerticalHeaderLabels([f"{r.name}  {r.student_no}" for r in rows])
        self.setTabKeyNavigation(False)  # Tab leaves the grid: scale, class, plan, Save by keys
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # An entry grid, not a list: cells are typed into and the row header names the student.
        self.setProperty("entry_grid", True)
        self.setAlternatingRowColors(True)
        for c in range(n):
            self.setColumnWidth(c, 34)
        for r in range(len(rows)):
            for c in range(n + 1):
                item = QTableWidgetItem("")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.setItem(r, c, item)
        self.setCurrentCell(0, 0)

    def answers(self, row: int) -> list[int | None]:
        out = []
        for c in range(self.defn.item_count):
            text = self.item(row, c).text()
            out.append(int(text) if text else None)
        return out

    def set_answers(self, row: int, answers: list[int | None]) -> None:
        for c, a in enumerate(answers):
            self.item(row, c).setText("" if a is None else str(a))
        self._update_total(row)

    def keyPressEvent(self, event) -> None:
        r, c = self.currentRow(), self.currentColumn()
        text = event.text()
        if text.isdigit() and c < self.defn.item_count:
            value = paper_entry.parse_digit(self.defn, c + 1, text)
            if value is None:  # not an option on this sheet: refused, and said beside the grid
                QApplication.beep()
                self.item(r, c).setBackground(REFUSED)
                self.refused.emit(paper_entry.refusal(self.defn, c + 1, text))
                return
            self.item(r, c).setText(str(value))
            self.item(r, c).setBackground(QBrush())
            self._update_total(r)
            self.accepted_key.emit()
            self._advance(r, c)
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and c < self.defn.item_count:
            self.item(r, c).setText("")
            self._update_total(r)
            if event.key() == Qt.Key.Key_Backspace and c > 0:
                self.setCurrentCell(r, c - 1)
            return
        super().keyPressEvent(event)

    def _advance(self, r: int, c: int) -> None:
        if c + 1 < self.defn.item_count:
            self.setCurrentCell(r, c + 1)
        elif r + 1 < self.rowCount():
            self.setCurrentCell(r + 1, 0)

    def _update_total(self, r: int) -> None:
        answers = self.answers(r)
        cell = self.item(r, self.defn.item_count)
        if all(a is not None for a in answers):
            cell.setText(str(score(self.defn, answers).total))
        else:
            cell.setText(_("{n} left").format(n=sum(a is None for a in answers)))


class PaperEntryDialog(QDialog):
    def __init__(
        self,
        vault: OpenVault,
        parent=None,
        *,
        scale_id: str | None = None,
        class_id: str | None = None,
        plan_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("paper_entry_dialog")
        self.setWindowTitle(_("Paper answer sheets"))
        self.vault = vault
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.scale = QComboBox(objectName="paper_scale_combo")
        catalogue, grades, plan_rows = wait(
            lambda: (
                assessments.scale_catalogue(vault),
                students.grades_and_classes(vault),
                plans.list_plans(vault),
            )
        )
        for sid, d in catalogue.items():
            self.scale.addItem(d.title, sid)
        if scale_id:
            self.scale.setCurrentIndex(self.scale.findData(scale_id.upper()))
        self.klass = QComboBox(objectName="paper_class_combo")
        for g in grades:
            for c in g.classes:
                self.klass.addItem(f"{g.name}{c.name}", c.id)
        if class_id:
            self.klass.setCurrentIndex(self.klass.findData(class_id))
        self.double = QCheckBox(_("Double entry"), objectName="double_entry_check")
        self.plan = QComboBox(objectName="paper_plan_combo")
        self.plan.addItem(_("(no plan)"), None)
        for p in plan_rows:
            self.plan.addItem(p.name, p.id)
        if plan_id:
            self.plan.setCurrentIndex(self.plan.findData(plan_id))
        bar.addWidget(QLabel(_("Scale")))
        bar.addWidget(self.scale, 2)
        bar.addWidget(QLabel(_("Class")))
        bar.addWidget(self.klass, 1)
        bar.addWidget(QLabel(_("Plan")))
        bar.addWidget(self.plan, 1)
        bar.addWidget(self.double)
        layout.addLayout(bar)
        self.status = QLabel(objectName="paper_status", wordWrap=True)
        layout.addWidget(self.status)
        self.hint = QLabel(objectName="paper_hint", wordWrap=True)
        self.hint.setStyleSheet("color: #b00020; font-weight: bold")
        layout.addWidget(self.hint)
        self.grid: EntryGrid | None = None
        self.grid_holder = QVBoxLayout()
        layout.addLayout(self.grid_holder, 1)
        self.error = error_label("paper_error")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.scale.currentIndexChanged.connect(self.rebuild)
        self.klass.currentIndexChanged.connect(self.rebuild)
        self.double.toggled.connect(self.rebuild)
        self.plan.currentIndexChanged.connect(self.rebuild)
        self.rebuild()
        self.resize(1100, 640)

    def rebuild(self) -> None:
        if self.grid is not None:
            self.grid_holder.removeWidget(self.grid)
            dispose_later(self.grid)
        wanted = students.StudentFilter(class_id=self.klass.currentData(), status="enrolled")
        scale_id = self.scale.currentData()
        defn, rows = wait(
            lambda: (
                assessments.scale_definition(self.vault, scale_id),
                students.search_students(self.vault, wanted, sort="name"),
            )
        )
        self.grid = EntryGrid(defn, rows)
        self.grid.refused.connect(self._say_why)
        self.grid.accepted_key.connect(self.hint.clear)
        self.grid_holder.addWidget(self.grid)
        self.status.setText(self._pass_status(rows, scale_id) if self.double.isChecked() else "")
        self.grid.setFocus()

    def _pass_status(self, rows: list, scale_id: str) -> str:
        """Which pass this grid takes, per the sheets kept in the vault (never their values)."""
        due = wait(
            lambda: double_entry.passes_due(
                self.vault, scale_id, self.plan.currentData(), [r.id for r in rows]
            )
        )
        second = [who for n, who in due.values() if n == 2]
        waiting = sum(1 for n, _who in due.values() if n == 3)
        text = (
            _(
                "Double entry, second pass: type the sheets again without looking at the first "
                "({n} first passes by {who})."
            ).format(n=len(second), who="、".join(set(second)))
            if second
            else _("Double entry, first pass: another teacher types the second.")
        )
        if waiting:
            text += " " + _("{n} sheets of this class await reconciliation.").format(n=waiting)
        return text

    def _say_why(self, why: str) -> None:
        self.hint.setText(why)

    def has_unsaved_answers(self) -> bool:
        grid = self.grid
        if grid is None:
            return False
        typed = any(any(a is not None for a in grid.answers(r)) for r in range(grid.rowCount()))
        return typed

    def reject(self) -> None:
        """Typed answer sheets are an hour's work: never dropped by a stray Esc."""
        from app.ui.discard_guard import confirm_discard

        if self.has_unsaved_answers() and not confirm_discard(self):
            return
        super().reject()

    def _incomplete_ok(self, rows: list[int]) -> bool:
        """A sheet with blanks is saved only when the counselor says so, its blanks named;
        otherwise the cursor goes to the first blank to finish typing."""
        grid = self.grid
        lines = []
        for r in rows:
            blanks = [str(i) for i, a in enumerate(grid.answers(r), start=1) if a is None]
            lines.append(
                _("{name}: items {items} are blank").format(
                    name=grid.rows[r].name, items="、".join(blanks)
                )
            )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Sheets with blank items"),
            _(
                "These sheets are not complete:\n\n{lines}\n\nSave them as incomplete (they "
                "will need checking, and a blank critical item is followed up), or go back and "
                "finish typing?"
            ).format(lines="\n".join(lines)),
            parent=self,
        )
        box.setObjectName("incomplete_box")
        keep = box.addButton(_("Save as incomplete"), QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton(_("Go back and finish"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.exec()
        if box.clickedButton() is keep:
            return True
        first = rows[0]
        blank = next(i for i, a in enumerate(grid.answers(first)) if a is None)
        grid.setCurrentCell(first, blank)
        grid.setFocus()
        return False

    def save(self) -> None:
        grid = self.grid
        filled = [r for r in range(grid.rowCount()) if any(a is not None for a in grid.answers(r))]
        partial = [r for r in filled if any(a is None for a in grid.answers(r))]
        if partial and not self._incomplete_ok(partial):
            return
        if self.double.isChecked():
            self._save_pass([(grid.rows[r], grid.answers(r)) for r in filled])
            return
        sheets = [(grid.rows[r], grid.answers(r)) for r in filled]
        plan_id, scale_id = self.plan.currentData(), grid.defn.id
        outcome: dict = {"saved": 0, "critical": [], "names": []}

        def store() -> None:
            # Each sheet in its own transaction: a refusal at one leaves those before it saved.
            for student, answers in sheets:
                row = paper_entry.save_sheet(
                    self.vault,
                    student.id,
                    scale_id,
                    answers,
                    plan_id=plan_id,
                )
                outcome["saved"] += 1
                outcome["names"].append(student.name)
                if row.critical_items:
                    items = "、".join(map(str, row.critical_items))
                    outcome["critical"].append(f"{student.name} · {scale_id} · {items}")

        try:
            wait(store)
        except Exception as exc:
            self.error.setText(message_for(exc))
            if outcome["critical"]:  # sheets saved before the refusal still warn at once
                show_critical(self, outcome["critical"])
            return
        saved, critical = outcome["saved"], outcome["critical"]
        self.rebuild()  # a fresh grid for the next class or batch; what was saved is said
        self.status.setText(
            _("{n} sheets saved: {names}.").format(n=saved, names="、".join(outcome["names"]))
        )
        if critical:
            show_critical(self, critical)

    def _save_pass(self, sheets: list, reason: str | None = None) -> None:
        """One pass of double entry into the vault; the same user's second pass needs a reason."""
        from app.ui.risk_dialogs import ask_reason

        scale_id, plan_id = self.grid.defn.id, self.plan.currentData()
        pairs = [(st.id, answers) for st, answers in sheets]
        try:
            out = wait(
                lambda: double_entry.save_passes(
                    self.vault, scale_id, pairs, plan_id=plan_id, same_user_reason=reason
                )
            )
        except double_entry.SameEnterer as exc:
            reason = ask_reason(
                self,
                _("Second pass by the same person"),
                message_for(exc),
            )
            if reason is not None:
                self._save_pass(sheets, reason)
            return
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        names = {st.id: st.name for st, _a in sheets}
        self.rebuild()
        parts = []
        if out.first:
            parts.append(
                _("First pass kept for {n} sheets; another teacher types the second.").format(
                    n=len(out.first)
                )
            )
        if out.matched:
            parts.append(
                _("{n} sheets agreed in both passes and entered the archive.").format(
                    n=len(out.matched)
                )
            )
        if out.to_reconcile:
            parts.append(
                _("{n} sheets differ between the passes: reconcile them.").format(
                    n=len(out.to_reconcile)
                )
            )
        self.status.setText(" ".join(parts))
        if out.critical:
            show_critical(
                self,
                [
                    f"{names[sid]} · {scale_id} · {'、'.join(map(str, items))}"
                    for sid, items in out.critical
                ],
            )
        if out.to_reconcile:
            from app.ui.reconcile_dialog import ReconcileDialog

            ReconcileDialog(self.vault, self).open()


def show_critical(parent, lines: list[str]) -> QMessageBox:
    """The unmissable alert (student · scale · items): window-modal until the counselor presses OK."""
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        _("Critical answers"),
        _("These answers need prompt follow-up (student · scale · item):\n\n{lines}").format(
            lines="\n".join(lines)
        ),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("critical_alert_box")
    box.open()
    return box
