"""筛查统计 on screen: the figures of the printed summary — school, sex, grade and class, this
semester beside the last, rates and means with their 95 % intervals, invalid sheets apart, and
how many students changed reliably — without printing anything."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.scales.statistics import mean_text, percent_text
from app.services import screening_statistics
from app.services.vaults import OpenVault
from app.ui.ops import wait
from app.ui.tables import setup_table


class StatisticsDialog(QDialog):
    def __init__(self, vault: OpenVault, scale_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statistics_dialog")
        stats = wait(lambda: screening_statistics.statistics(vault, scale_id))
        self.setWindowTitle(_("Screening statistics: {scale}").format(scale=stats.scale_title))
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                _(
                    "This semester ({now}) beside the last ({last}). Invalid sheets are counted "
                    "apart, never in a rate or a mean; intervals are 95 % (Wilson for rates, t "
                    "for means)."
                ).format(now=stats.semester, last=stats.last_semester),
                wordWrap=True,
            )
        )
        heads = [
            _("Group"),
            _("Semester"),
            _("Valid sheets"),
            _("Invalid sheets"),
            _("Positive"),
            _("Positive rate (95 % CI)"),
            _("Mean total (95 % CI)"),
        ]
        self.table = QTableWidget(len(stats.figures), len(heads), objectName="statistics_table")
        self.table.setHorizontalHeaderLabels(heads)
        setup_table(self.table, stretch=0)
        for r, f in enumerate(stats.figures):
            values = (
                f.group, f.semester, str(f.valid), str(f.invalid), str(f.positive),
                percent_text(f.rate), mean_text(f.mean),
            )  # fmt: skip
            for c, v in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(v))
        layout.addWidget(self.table, 1)
        change = stats.change
        self.change = QLabel(objectName="statistics_change", wordWrap=True)
        if change is None:
            self.change.setText(
                _(
                    "The scale's definition cites no reliability, so no reliable change index is given."
                )
            )
        else:
            self.change.setText(
                _(
                    "{n} students screened validly both semesters: {up} rose reliably, {down} fell "
                    "reliably, {same} did not change reliably (Jacobson–Truax, |RCI| > 1.96; {src})."
                ).format(
                    n=change.pairs,
                    up=change.up,
                    down=change.down,
                    same=change.unchanged,
                    src=change.source,
                )
            )
        layout.addWidget(self.change)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.resize(900, 560)
