"""一生一档: one student's archive page: basic information, guardians, flags, and later tabs."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import assessments, students
from app.services.permissions import allowed
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.lifecycle import dispose_later
from app.ui.ops import refresh_in_lane, wait
from app.ui.tables import setup_table


def _validity_text(h: assessments.ResultRow) -> str:
    """有效, or 需核查 with the reasons in words and the blank items named."""
    from app.scales.scoring import flag_reason

    if h.valid and not h.flags:
        return _("valid")
    text = _("needs checking: {reasons}").format(reasons="、".join(flag_reason(f) for f in h.flags))
    if h.missing_items:
        text += _(" (blank: items {items})").format(items="、".join(map(str, h.missing_items)))
    return text


def _yes_no(flag: bool) -> str:
    return _("Yes") if flag else _("No")


ArchiveData = tuple  # (students.StudentArchive, the archive from before a transfer or None)


def load_archive(vault: OpenVault, student_id: str) -> ArchiveData:
    """What the page shows first, read in one go (in the database lane when opened)."""
    archive = students.student_archive(vault, student_id)
    transferred = None
    if allowed(vault.user.role, "view_diagnosis"):
        from app.services import sync

        transferred = sync.transferred_archive(vault, student_id)
    return archive, transferred


class ArchivePage(QWidget):
    back_requested = Signal()
    edited = Signal(str)  # student id
    warning_raised = Signal(str)  # student id

    def __init__(
        self,
        vault: OpenVault,
        student_id: str,
        data: ArchiveData | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`data` as `load_archive` read it in the database lane (the workspace does); read
        here when not given."""
        super().__init__(parent)
        self.setObjectName("archive_page")
        self.vault = vault
        self.student_id = student_id
        self.archive, self.transferred = data or wait(lambda: load_archive(vault, student_id))
        a = self.archive
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        back = QPushButton(_("← Back to list (Esc)"), objectName="back_button")
        back.clicked.connect(self.back_requested)
        top.addWidget(back)
        title = QLabel(
            f"{a.row.name}  ·  {a.row.grade}{a.row.class_name}  ·  {a.row.student_no}",
            objectName="archive_title",
        )
        title.setStyleSheet("font-size: 20px; font-weight: bold")
        top.addWidget(title, 1)
        if allowed(vault.user.role, "view_diagnosis"):
            print_button = QPushButton(
                _("Print the case file…"), objectName="print_case_file_button"
            )
            print_button.clicked.connect(self.print_case_file)
            top.addWidget(print_button)
        if allowed(vault.user.role, "view_diagnosis"):
            manual = QPushButton(_("Raise a warning…"), objectName="archive_manual_warning")
            manual.clicked.connect(lambda: self.raise_warning())
            top.addWidget(manual)
        if allowed(vault.user.role, "edit_student"):
            edit = QPushButton(
                _("Edit family situation and notes…"), objectName="edit_student_button"
            )
            edit.clicked.connect(self._edit)
            top.addWidget(edit)
        layout.addLayout(top)
        self.glance = None
        if allowed(vault.user.role, "view_diagnosis"):
            from app.ui.glance_strip import GlanceStrip

            self.glance = GlanceStrip(vault, student_id)
            layout.addWidget(self.glance)
        QShortcut(
            QKeySequence(Qt.Key.Key_Escape), self, activated=lambda: self.back_requested.emit()
        )

        self.tabs = QTabWidget(objectName="archive_tabs")
        self.tabs.addTab(self._basic_tab(), _("Basic information"))
        self._lazy: dict[int, object] = {}
        self._builders: dict[int, object] = {}
        self._add_lazy(self._assessment_data, self._assessment_tab, _("Assessments"))
        self.timeline = None
        if allowed(vault.user.role, "view_diagnosis"):
            from app.ui.timeline_view import TimelineView

            self.timeline = TimelineView(vault, student_id)
            self.timeline.assessment_opened.connect(lambda _id: self.tabs.setCurrentIndex(1))
            self.tabs.addTab(self.timeline, _("Records"))
            QShortcut(QKeySequence.StandardKey.New, self, activated=self.new_session)
        if allowed(vault.user.role, "view_diagnosis"):
            self._add_lazy(self._warning_data, self._warning_tab, _("Warnings"))
            if self.transferred:
                self.tabs.addTab(self._transfer_tab(), _("Before the transfer"))
        self.tabs.currentChanged.connect(self._build_tab)
        layout.addWidget(self.tabs)

    def _add_lazy(self, load, build, label: str) -> None:
        """Tabs with charts are read (rows and chart, in the database lane) and built when
        first shown, so the archive opens at once and the window never draws a chart."""
        holder = QWidget()
        QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
        index = self.tabs.addTab(holder, label)
        self._lazy[index] = (load, build)
        self._builders[index] = (load, build)

    def refresh(self) -> None:
        """Data about this student changed elsewhere: the timeline and the built tabs again
        (a built tab not on screen keeps what it shows until it is next looked at)."""
        if self.timeline is not None:
            self.timeline.refresh()
        if self.glance is not None:
            self.glance.refresh()
        for index, pair in self._builders.items():
            if index in self._lazy:
                continue
            self._lazy[index] = pair
        self._build_tab(self.tabs.currentIndex())

    def _build_tab(self, index: int) -> None:
        pair = self._lazy.pop(index, None)
        if pair is None:
            return
        load, build = pair
        holder = self.tabs.widget(index)

        def show(data) -> None:
            layout = holder.layout()
            while layout.count():
                dispose_later(layout.takeAt(0).widget())
            layout.addWidget(build(data))

        refresh_in_lane(holder, load, show, hidden_too=True)

    def _transfer_tab(self) -> QWidget:
        """What the previous school shared through the city: results and warning levels only."""
        from app.risk.levels import level_name

        t = self.transferred
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.addWidget(
            QLabel(
                _("Shared by {school} through the city platform.").format(
                    school=t.get("from_school") or "—"
                )
            )
        )
        results = QTableWidget(len(t["results"]), 4, objectName="transfer_results")
        results.setHorizontalHeaderLabels([_("Date"), _("Scale"), _("Total"), _("Result")])
        for i, r in enumerate(t["results"]):
            cells = (
                (r.get("administered_at") or "")[:10],
                r.get("scale_id") or "",
                "" if r.get("total") is None else f"{r['total']:g}",
                r.get("band_label") or "",
            )
            for c, text in enumerate(cells):
                results.setItem(i, c, QTableWidgetItem(text))
        lay.addWidget(results)
        levels = QTableWidget(len(t["warnings"]), 2, objectName="transfer_warnings")
        levels.setHorizontalHeaderLabels([_("Date"), _("Level")])
        for i, r in enumerate(t["warnings"]):
            levels.setItem(i, 0, QTableWidgetItem((r.get("raised_at") or "")[:10]))
            level = r.get("level")
            levels.setItem(i, 1, QTableWidgetItem(level_name(level)))
        for table in (results, levels):
            setup_table(table)
        lay.addWidget(levels)
        return w

    def _warning_data(self) -> tuple:
        """Read in the database lane: the warnings, the rules' names and the level chart."""
        from app.services import warning_rules, warnings

        rows = warnings.history(self.vault, self.archive.row.id)
        rules = warning_rules.rule_names(self.vault) if rows else {}
        png = None
        if rows:
            from app.reports.charts import level_chart

            png = level_chart([(w.raised_at, w.level) for w in rows])
        return rows, rules, png

    def _warning_tab(self, data: tuple) -> QWidget:
        """The student's warning level over time, oldest first."""
        from app.risk.levels import level, level_name, status_name

        rows, rules, png = data
        table = QTableWidget(len(rows), 4, objectName="warning_history")
        table.setHorizontalHeaderLabels([_("Date"), _("Level"), _("Status"), _("Rule")])
        setup_table(table)
        for r, w in enumerate(rows):
            for c, v in enumerate(
                (
                    f"{w.raised_at:%Y-%m-%d}",
                    level_name(w.level),
                    status_name(w.status),
                    rules.get(w.rule_id, w.rule_id),
                )
            ):
                item = QTableWidgetItem(v)
                item.setBackground(QColor(level(w.level).background))
                table.setItem(r, c, item)
        return _with_chart(table, png)

    def raise_warning(self) -> str | None:
        """The counselor's own judgment, from the student's page."""
        from PySide6.QtWidgets import QDialog

        from app.ui.risk_dialogs import ManualWarningDialog

        dialog = ManualWarningDialog(self.vault, self.archive.row.id, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        self.warning_raised.emit(self.archive.row.id)
        return dialog.warning_id

    def print_case_file(self):
        from app.ui.print_preview import CaseFilePrintDialog

        dialog = CaseFilePrintDialog(self.vault, self.archive.row.id, self)
        dialog.open()
        return dialog

    def new_session(self):
        """Ctrl+N anywhere on the student's page: two keystrokes to a new session."""
        self.tabs.setCurrentWidget(self.timeline)
        return self.timeline.new_record("session")

    def _edit(self) -> None:
        from app.ui.student_edit_dialog import StudentEditDialog

        if StudentEditDialog(self.vault, self.archive, self).exec():
            self.edited.emit(self.archive.row.id)

    def _roster(self, dialog) -> None:
        form = dialog(self.vault, self.student_id, self)
        form.finished.connect(lambda r: self.edited.emit(self.student_id) if r else None)
        form.open()

    def _assessment_data(self) -> tuple:
        """Read in the database lane: the results and their trend chart."""
        rows = assessments.history(self.vault, self.archive.row.id)
        return rows, _trend_png(rows)

    def _assessment_tab(self, data: tuple) -> QWidget:
        rows, png = data
        table = QTableWidget(len(rows), 7, objectName="assessment_history")
        table.setHorizontalHeaderLabels(
            [
                _("Date"),
                _("Scale"),
                _("Total"),
                _("Standard score"),
                _("Band"),
                _("Validity"),
                _("Critical items"),
            ]
        )
        setup_table(table)
        modes = {"kiosk": _("kiosk"), "paper": _("paper"), "import": _("import")}
        for r, h in enumerate(rows):
            values = (
                f"{h.administered_at:%Y-%m-%d} · {modes.get(h.mode, h.mode)}",
                h.scale_id,
                "" if h.total is None else f"{h.total:g}",
                "" if h.standard_score is None else f"{h.standard_score:g}",
                h.band_label or "",
                _validity_text(h),
                "、".join(map(str, h.critical_items)),
            )
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                if h.critical_items:
                    item.setBackground(QColor("#ffebee"))
                table.setItem(r, c, item)
        ids = [h.id for h in rows]
        if not ids or not allowed(self.vault.user.role, "view_diagnosis"):
            return _with_chart(table, png)
        table.cellActivated.connect(lambda row, _c: self.print_assessment_report(ids[row]))
        button = push_button(
            _("Assessment report…"),
            "assessment_report_button",
            lambda: self.print_assessment_report(ids[max(0, table.currentRow())]),
        )
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_with_chart(table, png), 1)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    def print_assessment_report(self, result_id: str):
        """The chosen result as the per-student report (Enter on a row does the same)."""
        from app.services import printing
        from app.ui.print_preview import show_document

        return show_document(
            self,
            self.vault,
            lambda: printing.assessment_report(self.vault, result_id),
            _("Assessment report"),
        )

    def _basic_tab(self) -> QWidget:
        a = self.archive
        w = QWidget()
        layout = QHBoxLayout(w)
        info = QGroupBox(_("Student"))
        form = QFormLayout(info)
        gender = _(students.GENDER_LABELS[a.row.gender]) if a.row.gender else ""
        form.addRow(_("Name"), QLabel(a.row.name))
        form.addRow(_("Student number (学籍号)"), QLabel(a.row.student_no))
        form.addRow(_("Gender"), QLabel(gender))
        form.addRow(
            _("Birth date"), QLabel(a.row.birth_date.isoformat() if a.row.birth_date else "")
        )
        form.addRow(_("Grade and class"), QLabel(f"{a.row.grade}{a.row.class_name}"))
        status = _(students.STATUS_LABELS.get(a.row.status, a.row.status))
        if a.status_on:
            status += _(" since {date}").format(date=a.status_on.isoformat())
        if a.status_note:
            status += f"（{a.status_note}）"
        status_label = QLabel(status, objectName="archive_status_label")
        status_label.setWordWrap(True)
        form.addRow(_("Status"), status_label)
        if allowed(self.vault.user.role, "import_roster"):
            from app.ui.roster_dialogs import GuardiansDialog, StatusDialog, StudentForm

            buttons = QHBoxLayout()
            for label, name, dialog in (
                (_("Correct the roster entry…"), "edit_roster_button", StudentForm),
                (_("Guardians…"), "guardians_button", GuardiansDialog),
                (_("Transfer out, graduate, suspend…"), "status_button", StatusDialog),
            ):
                button = QPushButton(label, objectName=name)
                button.clicked.connect(lambda _c=False, d=dialog: self._roster(d))
                buttons.addWidget(button)
            form.addRow(buttons)
        layout.addWidget(info, 1)

        right = QVBoxLayout()
        family = QGroupBox(_("Family situation"))
        fform = QFormLayout(family)
        fform.addRow(_("Boarding"), QLabel(_yes_no(a.boarding)))
        fform.addRow(_("Left-behind child"), QLabel(_yes_no(a.left_behind)))
        fform.addRow(_("Single-parent family"), QLabel(_yes_no(a.single_parent)))
        others = "、".join(
            _(students.FLAG_LABELS[f]) for f in a.family_flags if f in students.FLAG_LABELS
        )
        fform.addRow(_("Other"), QLabel(others or _("None recorded")))
        if a.diagnosis_note is not None:
            note = QLabel(a.diagnosis_note, objectName="diagnosis_label")
            note.setWordWrap(True)
            fform.addRow(_("Pre-existing diagnosis (counselor only)"), note)
        right.addWidget(family)

        guardians = QGroupBox(_("Guardians"))
        gl = QVBoxLayout(guardians)
        table = QTableWidget(len(a.guardians), 3, objectName="guardian_table")
        table.setHorizontalHeaderLabels([_("Name"), _("Relation"), _("Phone")])
        setup_table(table)
        for i, g in enumerate(a.guardians):
            for j, value in enumerate((g.name, g.relation or "", g.phone or "")):
                table.setItem(i, j, QTableWidgetItem(value))
        gl.addWidget(table)
        right.addWidget(guardians)
        layout.addLayout(right, 1)
        return w


def _trend_png(rows) -> bytes | None:
    """The same trend chart the case file prints, for the scale given most often."""
    from collections import Counter

    from app.reports.charts import trend_chart

    counts = Counter(r.scale_id for r in rows if r.total is not None)
    if not counts or counts.most_common(1)[0][1] < 2:
        return None
    scale = counts.most_common(1)[0][0]
    points = sorted(
        (r.administered_at, r.total) for r in rows if r.scale_id == scale and r.total is not None
    )
    return trend_chart(_("{scale} over time").format(scale=scale), points)


def _with_chart(table: QWidget, png: bytes | None) -> QWidget:
    if png is None:
        return table
    from PySide6.QtGui import QPixmap

    box = QWidget()
    layout = QVBoxLayout(box)
    chart = QLabel(objectName="chart_label")
    pixmap = QPixmap()
    pixmap.loadFromData(png, "PNG")
    chart.setPixmap(pixmap)
    chart.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    layout.addWidget(chart)
    layout.addWidget(table, 1)
    return box
