"""扫描答卷确认: each sheet read from a scan that a person must look at, one at a time; every
item held back is shown as the student marked it, beside what was read. One key per item: the
digit on the paper, Delete for blank, Enter to take what was read. When the last item of a sheet
is confirmed the sheet enters the archive and the next one comes up."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _
from app.services import scans
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.errors import message_for
from app.ui.form_parts import error_label
from app.ui.ops import wait

STATES = {
    "one": N_("one mark"),
    "blank": N_("blank"),
    "multiple": N_("two or more marks"),
    "erased": N_("erased and changed?"),
    "uncertain": N_("faint or unclear mark"),
    "missing_page": N_("page not scanned"),
}
CONFIRMED = QBrush(QColor("#c8e6c9"))
CRITICAL = QBrush(QColor("#ffcdd2"))
VALUE = 4


class ItemTable(QTableWidget):
    def __init__(self, dialog: ScanReviewDialog) -> None:
        super().__init__(0, 5, dialog)
        self.dialog = dialog
        self.setObjectName("scan_item_table")
        self.setHorizontalHeaderLabels(
            [_("Item"), _("What was seen"), _("On the sheet"), _("Read as"), _("Confirmed")]
        )
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setTabKeyNavigation(False)
        self.setProperty("entry_grid", True)

    def keyPressEvent(self, event) -> None:
        text = event.text()
        if self.currentRow() >= 0 and text.isdigit():
            self.dialog.choose(int(text))
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.dialog.choose(None)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.dialog.take_read()
            return
        super().keyPressEvent(event)


class ScanReviewDialog(QDialog):
    def __init__(self, vault: OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scan_review_dialog")
        self.setWindowTitle(_("Confirm scanned sheets"))
        self.vault = vault
        self.sheets: list[scans.SheetReview] = []
        self.index = 0
        self.chosen: dict[int, int | None] = {}
        self.stored = 0
        layout = QVBoxLayout(self)
        self.summary = QLabel(objectName="scan_summary", wordWrap=True)
        layout.addWidget(self.summary)
        self.who = QLabel(objectName="scan_sheet_label", wordWrap=True)
        self.who.setStyleSheet("font-weight: bold")
        layout.addWidget(self.who)
        layout.addWidget(
            QLabel(
                _(
                    "Look at each cut-out: type the answer marked (a digit), Delete if it is "
                    "blank, Enter to take what was read. Critical items are always shown."
                ),
                wordWrap=True,
            )
        )
        self.table = ItemTable(self)
        body = QHBoxLayout()
        self.list = QListWidget(objectName="scan_sheet_list")
        self.list.setMaximumWidth(260)
        self.list.currentRowChanged.connect(self._jump)
        body.addWidget(self.list)
        body.addWidget(self.table, 1)
        layout.addLayout(body, 1)
        self.error = error_label("scan_error")
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.ready_button = push_button("", "scan_accept_ready_button", self.accept_ready)
        row.addWidget(self.ready_button)
        row.addStretch(1)
        row.addWidget(push_button(_("Skip this sheet"), "scan_skip_button", self.skip))
        row.addWidget(push_button(_("Close"), "scan_close_button", self.reject))
        layout.addLayout(row)
        self.reload()
        self.resize(900, 600)

    def reload(self) -> None:
        self.sheets = wait(lambda: scans.review_queue(self.vault))
        review, ready = wait(lambda: scans.pending_count(self.vault))
        self.ready_button.setText(_("Store the {n} sheets that need no review").format(n=ready))
        self.ready_button.setVisible(ready > 0)
        self.index = min(self.index, max(0, len(self.sheets) - 1))
        self.list.blockSignals(True)
        self.list.clear()
        for sh in self.sheets:
            self.list.addItem(
                f"{sh.class_label} {sh.student_name} · {sh.scale_id}（{len(sh.items)}）"
            )
        self.list.setCurrentRow(self.index)
        self.list.blockSignals(False)
        self.show_sheet()

    def _jump(self, row: int) -> None:
        if 0 <= row < len(self.sheets) and row != self.index:
            self.index = row
            self.show_sheet()

    def show_sheet(self) -> None:
        self.chosen = {}
        self.summary.setText(
            _("{n} sheets to confirm; {k} stored in this session.").format(
                n=len(self.sheets), k=self.stored
            )
        )
        self.table.setRowCount(0)
        if not self.sheets:
            self.who.setText(_("Nothing is waiting for review."))
            return
        sheet = self.sheets[self.index]
        self.who.setText(
            f"{sheet.student_name}　{sheet.class_label}　{sheet.student_no}　{sheet.scale_id}"
            f"　（{sheet.source}）"
        )
        self.table.setRowCount(len(sheet.items))
        for r, it in enumerate(sheet.items):
            label = _(STATES.get(it.state, it.state)) + (
                _("; critical item") if it.critical else ""
            )
            cells = [str(it.item), label, "", "" if it.value is None else str(it.value), ""]
            for c, v in enumerate(cells):
                cell = QTableWidgetItem(v)
                if it.critical:
                    cell.setBackground(CRITICAL)
                self.table.setItem(r, c, cell)
            pixmap = QPixmap()
            pixmap.loadFromData(it.crop, "PNG")
            self.table.item(r, 2).setData(Qt.ItemDataRole.DecorationRole, pixmap)
            self.table.setRowHeight(r, max(36, pixmap.height() + 6))
        self.table.resizeColumnsToContents()
        self.table.setCurrentCell(0, VALUE)
        self.table.setFocus()

    def choose(self, value: int | None) -> None:
        sheet = self.sheets[self.index]
        r = self.table.currentRow()
        it = sheet.items[r]
        if value is not None and value not in it.options:
            self.error.setText(
                _("Item {item}: {value} is not an answer on this sheet.").format(
                    item=it.item, value=value
                )
            )
            return
        self.error.clear()
        self.chosen[it.item] = value
        cell = self.table.item(r, VALUE)
        cell.setText(_("(blank)") if value is None else str(value))
        cell.setBackground(CONFIRMED)
        left = [i for i, x in enumerate(sheet.items) if x.item not in self.chosen]
        if left:
            self.table.setCurrentCell(next((i for i in left if i > r), left[0]), VALUE)
            return
        self.store(sheet)

    def take_read(self) -> None:
        r = self.table.currentRow()
        if r < 0 or not self.sheets:
            return
        it = self.sheets[self.index].items[r]
        if it.state in ("one", "blank"):
            self.choose(it.value)
        else:  # two marks or an unclear one: the person types what the paper shows
            self.error.setText(_("Item {item}: type the answer on the paper.").format(item=it.item))

    def store(self, sheet: scans.SheetReview) -> None:
        chosen = dict(self.chosen)
        try:
            row = wait(lambda: scans.confirm(self.vault, sheet.id, chosen))
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        self.stored += 1
        if row.critical_items:
            from app.ui.paper_entry_dialog import show_critical

            show_critical(
                self,
                [
                    f"{sheet.student_name} · {sheet.scale_id} · "
                    f"{'、'.join(map(str, row.critical_items))}"
                ],
            )
        self.reload()

    def skip(self) -> None:
        if self.sheets:
            self.index = (self.index + 1) % len(self.sheets)
            self.list.setCurrentRow(self.index)
            self.show_sheet()

    def accept_ready(self) -> None:
        try:
            rows = wait(lambda: scans.accept_confident(self.vault))
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        self.stored += len(rows)
        self.reload()
