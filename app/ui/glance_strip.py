"""The strip at the top of a student's archive: the warning level and why, the open case and
what comes next, the latest results with their trend, the last home–school contacts."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from app.i18n import _
from app.risk.levels import level, level_name, status_name
from app.services.at_a_glance import Glance, glance
from app.services.vaults import OpenVault
from app.ui.ops import refresh_in_lane


def _cell(name: str) -> QLabel:
    label = QLabel(objectName=name, wordWrap=True)
    label.setStyleSheet("padding: 4px; background: #fafafa; border: 1px solid #e0e0e0")
    label.setMaximumHeight(96)
    return label


class GlanceStrip(QFrame):
    def __init__(self, vault: OpenVault, student_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("glance_strip")
        self.vault, self.student_id = vault, student_id
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.warning = _cell("glance_warning")
        self.case = _cell("glance_case")
        self.results = _cell("glance_results")
        self.contacts = _cell("glance_contacts")
        for i, cell in enumerate((self.warning, self.case, self.results, self.contacts)):
            grid.addWidget(cell, 0, i)
            grid.setColumnStretch(i, 1)
        self.refresh()

    def refresh(self) -> None:
        vault, sid = self.vault, self.student_id
        refresh_in_lane(self, lambda: glance(vault, sid), self.show_glance, hidden_too=True)

    def show_glance(self, g: Glance) -> None:
        if g.level:
            head = f"<b>{level_name(g.level)} · {status_name(g.status)}</b>"
            why = "<br>".join(g.why) or ""
            self.warning.setText(f"{head}<br><small>{why}</small>")
            color = level(g.level).background
        else:
            self.warning.setText("<b>" + _("No open warning") + "</b>")
            color = "#f1f8e9"
        self.warning.setStyleSheet(f"padding: 4px; background: {color}; border: 1px solid #ccc")
        lines = [g.open_case or _("No open case")]
        lines.append(_("Next: {what}").format(what=g.next_up) if g.next_up else _("Nothing booked"))
        if g.overdue:
            lines.append(
                "<span style='color:#b00020'>" + _("{n} overdue").format(n=g.overdue) + "</span>"
            )
        self.case.setText("<br>".join(lines))
        results = [
            f"{r.scale_id} {r.day:%m-%d} "
            + ("—" if r.total is None else f"{r.total:g}")
            + (f" {r.band}" if r.band else "")
            + (
                " "
                + _("{trend} (last time {previous})").format(
                    trend=r.trend, previous=f"{r.previous:g}"
                )
                if r.trend
                else ""
            )
            for r in g.results
        ]
        self.results.setText("<br>".join(results) or _("No results yet"))
        self.contacts.setText("<br>".join(g.contacts) or _("No home–school contact yet"))
