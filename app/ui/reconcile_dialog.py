"""双录入核对: every item where the two passes differ, both values side by side with where to
look on the paper; type the value the paper shows (or take one pass's), and the cursor jumps to
the next difference. A sheet enters the archive only when all its differences are settled."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import double_entry
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.errors import message_for
from app.ui.form_parts import error_label
from app.ui.ops import wait

CHOSEN = QBrush(QColor("#c8e6c9"))
VALUE_COLUMN = 7


def _text(value: int | None) -> str:
    return _("(blank)") if value is None else str(value)


class ReconcileTable(QTableWidget):
    """One row per differing item. A digit is the value on the paper; Delete means the paper is
    blank there; ← / → take the first / second pass. Each choice moves to the next row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 8, parent)
        self.setObjectName("reconcile_table")
        self.setHorizontalHeaderLabels(
            [
                _("Student"),
                _("Student number"),
                _("Scale"),
                _("Item"),
                _("Where on the sheet"),
                _("First pass"),
                _("Second pass"),
                _("Value on the paper"),
            ]
        )
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(False)
        self.setProperty("entry_grid", True)
        self.rows: list[tuple[double_entry.SheetState, double_entry.Difference]] = []
        self.chosen: dict[tuple[str, int], int | None] = {}
        self.on_refused = None

    def load(self, sheets: list[double_entry.SheetState]) -> None:
        self.rows = [(sh, d) for sh in sheets for d in sh.differences]
        shown = {(sh.id, d.item) for sh, d in self.rows}
        self.chosen = {k: v for k, v in self.chosen.items() if k in shown}
        self.setRowCount(len(self.rows))
        for r, (sh, d) in enumerate(self.rows):
            first = f"{_text(d.first)}（{sh.first_by}）"
            second = f"{_text(d.second)}（{sh.second_by}）"
            for c, v in enumerate(
                (sh.student_name, sh.student_no, sh.scale_id, str(d.item), d.cell, first, second)
            ):
                self.setItem(r, c, QTableWidgetItem(v))
            self.setItem(r, VALUE_COLUMN, QTableWidgetItem(""))
            self._show_choice(r)
        self.resizeColumnsToContents()
        if self.rows:
            self.setCurrentCell(0, VALUE_COLUMN)

    def _show_choice(self, r: int) -> None:
        sh, d = self.rows[r]
        key = (sh.id, d.item)
        cell = self.item(r, VALUE_COLUMN)
        if key in self.chosen:
            cell.setText(_text(self.chosen[key]))
            cell.setBackground(CHOSEN)
        else:
            cell.setText(_("? (look at the paper)"))
            cell.setBackground(QBrush())

    def choose(self, value: int | None) -> bool:
        r = self.currentRow()
        if r < 0:
            return False
        sh, d = self.rows[r]
        if value is not None and value not in d.allowed:
            if self.on_refused:
                self.on_refused(
                    _("Item {item}: {value} is not an answer on this sheet.").format(
                        item=d.item, value=value
                    )
                )
            return False
        self.chosen[(sh.id, d.item)] = value
        self._show_choice(r)
        self.next_open()
        return True

    def next_open(self) -> None:
        """To the next difference not yet settled (wrapping round), else stay."""
        n = len(self.rows)
        start = self.currentRow()
        for step in range(1, n + 1):
            r = (start + step) % n
            sh, d = self.rows[r]
            if (sh.id, d.item) not in self.chosen:
                self.setCurrentCell(r, VALUE_COLUMN)
                return

    def keyPressEvent(self, event) -> None:
        r = self.currentRow()
        text = event.text()
        if r >= 0 and text.isdigit():
            self.choose(int(text))
            return
        if r >= 0 and event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            _sh, d = self.rows[r]
            self.choose(d.first if event.key() == Qt.Key.Key_Left else d.second)
            return
        if r >= 0 and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.choose(None)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.next_open()
            return
        super().keyPressEvent(event)


class ReconcileDialog(QDialog):
    def __init__(self, vault: OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reconcile_dialog")
        self.setWindowTitle(_("Reconcile double entry"))
        self.vault = vault
        self.saved = 0
        layout = QVBoxLayout(self)
        self.summary = QLabel(objectName="reconcile_summary", wordWrap=True)
        layout.addWidget(self.summary)
        layout.addWidget(
            QLabel(
                _(
                    "Look at the paper sheet: type the value it shows (Delete if it is blank), "
                    "or ← / → to take the first / second pass. Enter jumps to the next "
                    "difference."
                ),
                wordWrap=True,
            )
        )
        self.table = ReconcileTable(self)
        self.table.on_refused = self._refused
        layout.addWidget(self.table, 1)
        self.waiting = QLabel(objectName="reconcile_waiting", wordWrap=True)
        layout.addWidget(self.waiting)
        self.error = error_label("reconcile_error")
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addWidget(
            push_button(
                _("Take the first pass"), "take_first_button", lambda: self._take(first=True)
            )
        )
        row.addWidget(
            push_button(
                _("Take the second pass"), "take_second_button", lambda: self._take(first=False)
            )
        )
        row.addWidget(
            push_button(_("Next difference"), "next_difference_button", self.table.next_open)
        )
        row.addStretch(1)
        row.addWidget(push_button(_("Save the settled sheets"), "reconcile_save_button", self.save))
        row.addWidget(push_button(_("Close"), "reconcile_close_button", self.reject))
        layout.addLayout(row)
        self.reload()
        self.resize(980, 560)

    def reload(self) -> None:
        sheets = wait(lambda: double_entry.open_sheets(self.vault))
        to_do = [s for s in sheets if s.awaiting == "reconcile"]
        second = [s for s in sheets if s.awaiting == "second_pass"]
        self.table.load(to_do)
        self.summary.setText(
            _("{n} sheets to reconcile, {k} differing items.").format(
                n=len(to_do), k=len(self.table.rows)
            )
        )
        self.waiting.setText(
            _("{n} sheets await their second pass: {names}").format(
                n=len(second), names="、".join(s.student_name for s in second[:20])
            )
            if second
            else ""
        )
        self.table.setFocus()

    def reject(self) -> None:
        """Values chosen from the paper are work: not dropped by a stray Esc."""
        from app.ui.discard_guard import confirm_discard

        if self.table.chosen and not confirm_discard(self):
            return
        super().reject()

    def _refused(self, why: str) -> None:
        self.error.setText(why)

    def _take(self, *, first: bool) -> None:
        r = self.table.currentRow()
        if r < 0:
            return
        _sh, d = self.table.rows[r]
        self.table.choose(d.first if first else d.second)
        self.table.setFocus()

    def save(self) -> None:
        """Every sheet whose differences are all settled goes into the archive."""
        by_sheet: dict[str, dict[int, int | None]] = {}
        open_items: set[str] = set()
        for sh, d in self.table.rows:
            key = (sh.id, d.item)
            if key in self.table.chosen:
                by_sheet.setdefault(sh.id, {})[d.item] = self.table.chosen[key]
            else:
                open_items.add(sh.id)
        ready = {sid: c for sid, c in by_sheet.items() if sid not in open_items}
        if not ready:
            self.error.setText(_("No sheet has all its differences settled yet."))
            return
        names = {sh.id: sh.student_name for sh, _d in self.table.rows}
        try:
            rows = wait(
                lambda: [double_entry.reconcile(self.vault, sid, c) for sid, c in ready.items()]
            )
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        critical = [
            f"{names[sid]} · {row.scale_id} · {'、'.join(map(str, row.critical_items))}"
            for sid, row in zip(ready, rows, strict=True)
            if row.critical_items
        ]
        if critical:
            from app.ui.paper_entry_dialog import show_critical

            show_critical(self, critical)
        self.saved += len(ready)
        self.error.clear()
        self.table.chosen = {}
        self.reload()
        self.summary.setText(
            _("{n} sheets entered the archive.").format(n=len(ready)) + " " + self.summary.text()
        )
