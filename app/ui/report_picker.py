"""个人测评报告 from the 测评 page: type a student (name, pinyin initials or 学籍号), their
results are listed newest first, Enter opens the chosen one's report."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.i18n import _
from app.services import assessments
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.ops import wait
from app.ui.student_picker import StudentPicker


class ReportPickerDialog(QDialog):
    def __init__(self, vault: OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("report_picker_dialog")
        self.setWindowTitle(_("Assessment report"))
        self.vault = vault
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Student")))
        self.picker = StudentPicker(vault, "report_student_edit", self)
        self.picker.textChanged.connect(self._load)
        self.picker.returnPressed.connect(self._to_results)
        layout.addWidget(self.picker)
        self.results = QListWidget(objectName="report_result_list")
        self.results.itemActivated.connect(lambda _i: self.open_report())
        layout.addWidget(self.results, 1)
        layout.addWidget(
            push_button(_("Open the report"), "report_open_button", self.open_report),
            0,
            Qt.AlignmentFlag.AlignRight,
        )
        self.resize(520, 420)

    def _load(self) -> None:
        self.results.clear()
        sid = self.picker.student_id()
        if sid is None:
            return
        for r in wait(lambda: assessments.history(self.vault, sid)):
            band = r.band_label or (_("not valid") if not r.valid else "")
            total = "" if r.total is None else f"{r.total:g}"
            item = QListWidgetItem(f"{r.administered_at:%Y-%m-%d} · {r.scale_id} · {total} {band}")
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def _to_results(self) -> None:
        if self.results.count():
            self.results.setFocus()

    def open_report(self):
        from app.services import printing
        from app.ui.print_preview import show_document

        item = self.results.currentItem()
        if item is None:
            return None
        result_id = item.data(Qt.ItemDataRole.UserRole)
        return show_document(
            self,
            self.vault,
            lambda: printing.assessment_report(self.vault, result_id),
            _("Assessment report"),
        )
