"""报表: the school-level documents, and the screening chart on screen as in print."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.i18n import _
from app.services import assessments
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.ops import refresh_in_lane


def _chart(vault: OpenVault, scale_id: str) -> bytes | None:
    from app.reports.charts import rate_chart

    defn = assessments.scale_definition(vault, scale_id)
    labels = {b["id"]: b["label"]["zh"] for b in defn.raw["bands"]["ranges"]}
    rows = assessments.band_distribution(vault, defn.id)
    total = sum(n for _b, n in rows)
    if not total:
        return None
    points = [(labels.get(b, b or "-"), 100 * n / total) for b, n in rows]
    return rate_chart(_("{scale}: share of results per band").format(scale=defn.id), points)


class ReportsPage(QWidget):
    def __init__(self, vault: OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reports_page")
        self.vault = vault
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.scale = QComboBox(objectName="report_scale_combo")  # filled when first shown
        row.addWidget(QLabel(_("Scale")))
        row.addWidget(self.scale, 1)
        for name, label, slot in (
            ("summary_print", _("Print screening summary…"), self.print_summary),
            ("statistics_button", _("Screening statistics…"), self.show_statistics),
            ("sheets_print", _("Print blank answer sheets…"), self.print_sheets),
            ("workload_print", _("Print the workload report…"), self.print_workload),
        ):
            b = push_button(label, name, slot)
            b.setEnabled(name == "workload_print")  # the others once the scales are read
            row.addWidget(b)
        layout.addLayout(row)
        self.chart = QLabel(objectName="report_chart")
        self.chart.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.chart, 1)
        from app.ui.compliance_box import ComplianceBox

        self.compliance = ComplianceBox(vault)
        layout.addWidget(self.compliance)
        self.scale.currentIndexChanged.connect(self.refresh)
        self._shown_once = False

    def showEvent(self, event) -> None:
        """The chart is made when the page is first looked at, not at unlock."""
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.refresh()
            self.compliance.refresh()

    def refresh(self) -> None:
        """The band distribution of each enrolled student's latest result, school-wide, as a
        chart — counted as the printed summary counts; read and drawn in the database lane
        (with the list of scales, the first time)."""
        vault, scale_id = self.vault, self.scale.currentData()
        if self.scale.count():
            refresh_in_lane(self, lambda: _chart(vault, scale_id), self._show)
            return

        def load():
            catalogue = [(sid, d.title) for sid, d in assessments.scale_catalogue(vault).items()]
            first = "PHQ-9" if any(sid == "PHQ-9" for sid, _t in catalogue) else None
            first = first or (catalogue[0][0] if catalogue else None)
            return catalogue, first, _chart(vault, first) if first else None

        refresh_in_lane(self, load, self._show_first)

    def _show_first(self, data) -> None:
        catalogue, first, png = data
        self.scale.blockSignals(True)
        for sid, title in catalogue:
            self.scale.addItem(title, sid)
        self.scale.setCurrentIndex(max(0, self.scale.findData(first)))
        self.scale.blockSignals(False)
        for name in ("summary_print", "sheets_print", "statistics_button"):
            self.findChild(QPushButton, name).setEnabled(bool(catalogue))
        self._show(png)

    def _show(self, png: bytes | None) -> None:
        if png is None:
            self.chart.setText(_("No results for this scale yet."))
            return
        pixmap = QPixmap()
        pixmap.loadFromData(png, "PNG")
        self.chart.setPixmap(pixmap)

    def print_summary(self):
        from app.services import printing
        from app.ui.print_preview import show_document

        scale_id = self.scale.currentData()
        return show_document(
            self,
            self.vault,
            lambda: printing.class_summary(self.vault, scale_id),
            _("Screening summary"),
        )

    def show_statistics(self):
        from app.ui.statistics_dialog import StatisticsDialog

        dialog = StatisticsDialog(self.vault, self.scale.currentData(), self)
        dialog.open()
        return dialog

    def print_sheets(self):
        from app.services import printing
        from app.ui.print_preview import show_document

        scale_id = self.scale.currentData()
        return show_document(
            self,
            self.vault,
            lambda: printing.answer_sheets(self.vault, scale_id),
            _("Answer sheets"),
        )

    def print_workload(self):
        import datetime as dt

        from app.records.semesters import semester_bounds
        from app.services import printing
        from app.ui.print_preview import show_document

        start, end = semester_bounds(dt.date.today())
        return show_document(
            self,
            self.vault,
            lambda: printing.workload_report(self.vault, start, end),
            _("Workload"),
        )
