"""测评: critical alerts first, then the ways to administer, and the semester's plans."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import (
    answer_import,
    assessments,
    double_entry,
    kiosk,
    plans,
    scans,
    students,
)
from app.services.permissions import allowed
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.errors import message_for
from app.ui.form_parts import dialog_buttons, error_label
from app.ui.ops import current, refresh_in_lane, wait
from app.ui.row_list import RowList
from app.ui.tables import setup_table


class AssessmentsPage(QWidget):
    kiosk_requested = Signal()
    resume_requested = Signal(str)  # kiosk session id
    student_requested = Signal(str)  # a critical answer double-clicked: the archive

    def __init__(self, vault: OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assessments_page")
        self.vault = vault
        layout = QVBoxLayout(self)
        self.alert_box = QGroupBox(
            _("Critical answers awaiting follow-up"), objectName="alert_group"
        )
        self.alert_box.setStyleSheet("QGroupBox { color: #b00020; font-weight: bold; }")
        alert_layout = QVBoxLayout(self.alert_box)
        self.alerts = RowList("alert_list")
        self.alerts.setMaximumHeight(140)
        self.alerts.row_activated.connect(lambda ids: self.student_requested.emit(ids[1]))
        alert_layout.addWidget(self.alerts)
        ack = QPushButton(_("Acknowledge and say what next…"), objectName="ack_alert_button")
        ack.clicked.connect(lambda: self._acknowledge())
        alert_layout.addWidget(ack)
        layout.addWidget(self.alert_box)

        actions = QHBoxLayout()
        can_edit = allowed(vault.user.role, "edit_student")
        for name, label, slot in (
            (
                "kiosk_button",
                _("Student self-assessment (kiosk)…"),
                lambda: self.kiosk_requested.emit(),
            ),
            ("paper_button", _("Paper answer sheets…"), lambda: self.open_paper_entry()),
            ("answer_import_button", _("Import answer sheets…"), lambda: self.import_answers()),
            ("scan_button", _("Scanned sheets…"), lambda: self.scan_sheets()),
            ("new_plan_button", _("New assessment plan…"), lambda: self.new_plan()),
            (
                "answer_sheet_button",
                _("Print questionnaire papers…"),
                lambda: self.print_answer_sheets(),
            ),
            ("summary_button", _("Print screening summary…"), lambda: self.print_summary()),
            ("report_button", _("Assessment report…"), lambda: self.open_report_picker()),
        ):
            b = push_button(label, name, slot)
            b.setEnabled(can_edit)
            actions.addWidget(b)
        actions.addStretch(1)
        layout.addLayout(actions)

        self.unfinished_box = QGroupBox(
            _("Interrupted self-assessments"), objectName="unfinished_group"
        )
        ul = QHBoxLayout(self.unfinished_box)
        self.unfinished = QListWidget(objectName="unfinished_list")
        self.unfinished.setMaximumHeight(110)
        ul.addWidget(self.unfinished, 1)
        resume = QPushButton(_("Resume…"), objectName="resume_button")
        resume.clicked.connect(self._resume)
        ul.addWidget(resume)
        layout.addWidget(self.unfinished_box)

        self.pending_box = QGroupBox(
            _("Sheets not yet in the archive"), objectName="double_entry_group"
        )
        pl = QHBoxLayout(self.pending_box)
        self.pending = QLabel(objectName="double_entry_label", wordWrap=True)
        pl.addWidget(self.pending, 1)
        self.reconcile = push_button(_("Reconcile…"), "reconcile_button", self.open_reconcile)
        pl.addWidget(self.reconcile)
        self.scan_review = push_button(
            _("Confirm scanned sheets…"), "scan_review_button", self.open_scan_review
        )
        pl.addWidget(self.scan_review)
        layout.addWidget(self.pending_box)

        layout.addWidget(QLabel(_("Assessment plans")))
        self.plans = QTableWidget(0, 5, objectName="plan_table")
        self.plans.setHorizontalHeaderLabels(
            [_("Plan"), _("Scales"), _("Dates"), _("Completed"), _("Consent")]
        )
        setup_table(self.plans, stretch=0)
        self.plans.cellActivated.connect(lambda row, _c: self.show_plan(row))
        self._plan_ids: list[str] = []
        layout.addWidget(self.plans, 1)
        follow_up = push_button(
            _("Follow-up after the screening…"), "follow_up_button", self.open_follow_up
        )
        layout.addWidget(follow_up, 0, Qt.AlignmentFlag.AlignLeft)
        self.refresh()

    def refresh(self) -> None:
        """Read in the database lane, shown here."""
        refresh_in_lane(self, self._load, self._show)

    def _load(self) -> tuple:
        vault = self.vault
        alerts = (
            assessments.open_alerts(vault) if allowed(vault.user.role, "view_diagnosis") else []
        )
        names: dict[str, str] = {}
        unfinished = []
        for st in kiosk.unfinished(vault):
            if st.student_id not in names:
                names[st.student_id] = students.student_label(vault, st.student_id)
            unfinished.append((st, names[st.student_id]))
        rows = plans.list_plans(vault)
        editor = allowed(vault.user.role, "edit_student")
        pending = double_entry.open_sheets(vault) if editor else []
        scanned = scans.pending_count(vault) if editor else (0, 0)
        completion = [(p, plans.completion(vault, p.id)) for p in rows]
        return alerts, unfinished, completion, (pending, scanned)

    def _show(self, data: tuple) -> None:
        alerts, unfinished, plan_rows, (pending, scanned) = data
        reconcile = sum(1 for p in pending if p.awaiting == "reconcile")
        positive = sum(1 for p in pending if p.provisional_positive)
        text = _(
            "{n} paper sheets typed once or twice are not in the archive yet: {r} to reconcile, "
            "{s} awaiting the second pass."
        ).format(n=len(pending), r=reconcile, s=len(pending) - reconcile)
        if positive:
            text += " " + _("{n} of them score positive on a pass.").format(n=positive)
        if not pending:
            text = ""
        review, ready = scanned
        if review or ready:
            text += (" " if text else "") + _(
                "Scanned sheets: {r} to confirm, {k} ready to store."
            ).format(r=review, k=ready)
        self.pending.setText(text)
        self.scan_review.setVisible(bool(review or ready))
        self.reconcile.setVisible(bool(pending))
        self.pending_box.setVisible(bool(pending or review or ready))
        line = _("{name} ({klass}) · {scale} item {item} = {answer} · {kind}")
        official, policy = _("official rule"), _("school policy")
        self.alerts.set_rows(
            [
                (
                    line.format(
                        name=a.student_name,
                        klass=a.class_label,
                        scale=a.scale_id,
                        item=a.item,
                        answer=a.answer,
                        kind=official if a.official else policy,
                    ),
                    (a.id, a.student_id),
                )
                for a in alerts
            ]
        )
        self.alert_box.setTitle(
            _("Critical answers awaiting follow-up ({n})").format(n=len(alerts))
        )
        self.alert_box.setVisible(self.alerts.count() > 0)
        self.unfinished.clear()
        for st, name in unfinished:
            item = QListWidgetItem(
                _("{name}: {done} of {total} answered").format(
                    name=name, done=st.answered, total=st.total_items
                )
            )
            item.setData(Qt.ItemDataRole.UserRole, st.session_id)
            self.unfinished.addItem(item)
        self.unfinished_box.setVisible(self.unfinished.count() > 0)
        self._plan_ids = [p.id for p, _c in plan_rows]
        self.plans.setRowCount(len(plan_rows))
        for r, (p, c) in enumerate(plan_rows):
            values = (
                p.name,
                "、".join(p.scale_ids),
                f"{p.starts_on} – {p.ends_on}",
                f"{len(c.complete)} / {c.expected}",
                p.consent_method or _("not recorded"),
            )
            for col, v in enumerate(values):
                self.plans.setItem(r, col, QTableWidgetItem(v))

    def open_follow_up(self):
        """The chosen plan's follow-up (the newest plan when none is chosen)."""
        from app.ui.follow_up_dialog import FollowUpDialog

        if not self._plan_ids:
            QMessageBox.information(self, _("Assessment plans"), _("There is no plan yet."))
            return None
        row = max(0, self.plans.currentRow())
        dialog = FollowUpDialog(self.vault, self._plan_ids[row], self)
        dialog.student_requested.connect(self.student_requested)
        dialog.student_requested.connect(lambda _sid: dialog.accept())
        dialog.open()
        return dialog

    def show_plan(self, row: int) -> QDialog:
        """The plan's students, each with their state, in class and 学号 order."""
        from app.ui.plan_participation import PlanParticipationDialog

        dialog = PlanParticipationDialog(
            self.vault, self._plan_ids[row], self.plans.item(row, 0).text(), self
        )
        return self._open_then_refresh(dialog)

    def _pick_scale(self, title: str) -> str | None:
        from PySide6.QtWidgets import QInputDialog

        ids = list(wait(lambda: assessments.scale_catalogue(self.vault)))
        scale_id, ok = QInputDialog.getItem(self, title, _("Scale"), ids, 0, False)
        return scale_id if ok else None

    def print_answer_sheets(self, scale_id: str | None = None, class_id: str | None = None):
        """Asked from the button: 打印问卷材料 (which scale, class, kind and title); given a
        scale, that scale's answer sheets for the class at once."""
        from app.services import printing
        from app.ui.print_preview import show_document
        from app.ui.student_papers_dialog import StudentPapersDialog

        if scale_id is None:
            dialog = StudentPapersDialog(self.vault, self)
            dialog.open()
            return dialog
        return show_document(
            self,
            self.vault,
            lambda: printing.answer_sheets(self.vault, scale_id, class_id),
            _("Answer sheets"),
        )

    def print_summary(self, scale_id: str | None = None):
        from app.services import printing
        from app.ui.print_preview import show_document

        scale_id = scale_id or self._pick_scale(_("Print screening summary"))
        if not scale_id:
            return None
        return show_document(
            self,
            self.vault,
            lambda: printing.class_summary(self.vault, scale_id),
            _("Screening summary"),
        )

    def _resume(self) -> None:
        item = self.unfinished.currentItem() or self.unfinished.item(0)
        if item is not None:
            self.resume_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def _acknowledge(self) -> None:
        from app.ui.risk_dialogs import ask_reason

        row = self.alerts.current()
        if row is None:
            return
        text, (alert_id, _student_id) = row
        note = ask_reason(
            self,
            _("Acknowledge the alert"),
            _("What will you do, and when? (kept with the warning)"),
            summary=text,
        )
        if note is None:
            return
        try:
            wait(lambda: assessments.acknowledge_alert(self.vault, alert_id, note))
        except Exception as exc:
            QMessageBox.warning(self, _("Critical answers"), message_for(exc))
        self.refresh()

    def _open_then_refresh(self, dialog: QDialog) -> QDialog:
        dialog.finished.connect(lambda _r: self.refresh())
        dialog.open()
        return dialog

    def open_report_picker(self):
        from app.ui.report_picker import ReportPickerDialog

        dialog = ReportPickerDialog(self.vault, self)
        dialog.open()
        return dialog

    def open_scan_review(self):
        from app.ui.scan_review_dialog import ScanReviewDialog

        return self._open_then_refresh(ScanReviewDialog(self.vault, self))

    def scan_sheets(self, paths: list[str] | None = None) -> None:
        """Choose the scans (PNG/JPEG/TIFF/PDF); they are read in the background with progress,
        then the sheets a person must confirm open for review."""
        if not paths:
            paths, _f = QFileDialog.getOpenFileNames(
                self, _("Scanned sheets"), "", _("Scans (*.png *.jpg *.jpeg *.tif *.tiff *.pdf)")
            )
            if not paths:
                return
        vault = self.vault
        chosen = [Path(p) for p in paths]

        def done(report) -> None:
            lines = [
                _(
                    "{sheets} sheets from {read} pages; {review} to review; {bad} pages unreadable."
                ).format(
                    sheets=report.sheets,
                    read=report.read,
                    review=len(report.needs_review),
                    bad=len(report.unreadable),
                )
            ]
            lines += [f"{u['file']}：{u['reason']}" for u in report.unreadable[:15]]
            box = QMessageBox(
                QMessageBox.Icon.Information,
                _("Scanned sheets"),
                "\n".join(lines),
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setObjectName("scan_report_box")
            box.open()
            if report.critical:
                from app.ui.paper_entry_dialog import show_critical

                show_critical(
                    self,
                    [f"{no} · {'、'.join(map(str, items))}" for no, items in report.critical],
                )
            self.refresh()
            if report.needs_review or report.ready:
                self.open_scan_review()

        current().long(
            _("Reading the scans…"),
            lambda progress: scans.scan_files(vault, chosen, progress=progress),
            done,
            lambda exc: QMessageBox.warning(self, _("Scanned sheets"), message_for(exc)),
            cancellable=True,
        )

    def open_reconcile(self):
        from app.ui.reconcile_dialog import ReconcileDialog

        return self._open_then_refresh(ReconcileDialog(self.vault, self))

    def open_paper_entry(self):
        from app.ui.paper_entry_dialog import PaperEntryDialog

        return self._open_then_refresh(PaperEntryDialog(self.vault, self))

    def import_answers(self, path: str | None = None, scale_id: str | None = None) -> None:
        from PySide6.QtWidgets import QInputDialog

        if not path:
            path, _f = QFileDialog.getOpenFileName(
                self, _("Import answer sheets"), "", _("Answer sheets (*.xlsx *.csv)")
            )
            if not path:
                return
        if not scale_id:
            ids = list(wait(lambda: assessments.scale_catalogue(self.vault)))
            scale_id, ok = QInputDialog.getItem(
                self, _("Import answer sheets"), _("Scale"), ids, 0, False
            )
            if not ok:
                return
        vault = self.vault
        ops = current()

        def failed(exc: BaseException) -> None:
            QMessageBox.warning(self, _("Import answer sheets"), message_for(exc))

        def checked(preview) -> None:
            skip = False
            if preview.invalid:
                lines = "\n".join(
                    _("Row {row}, column {column}: {reason}").format(**p.to_dict())
                    for p in preview.invalid[:20]
                )
                answer = QMessageBox.question(
                    self,
                    _("Import answer sheets"),
                    _(
                        "{bad} rows have problems:\n{lines}\n\nImport the {ok} valid rows only?"
                    ).format(
                        bad=len({p.row for p in preview.invalid}), lines=lines, ok=len(preview.rows)
                    ),
                )
                if answer != QMessageBox.StandardButton.Yes:
                    return
                skip = True
            ops.long(
                _("Importing…"),
                lambda _p: answer_import.import_answers(vault, path, scale_id, skip_invalid=skip),
                lambda report: self._imported(report, scale_id),
                failed,
            )

        ops.long(
            _("Reading the answer sheets…"),
            lambda _p: answer_import.preview_answers(vault, path, scale_id),
            checked,
            failed,
        )

    def _imported(self, report, scale_id: str) -> None:
        QMessageBox.information(
            self,
            _("Import answer sheets"),
            _("{n} answer sheets imported; {c} with critical answers.").format(
                n=report.imported, c=len(report.critical)
            ),
        )
        if report.critical:
            from app.ui.paper_entry_dialog import show_critical

            show_critical(
                self,
                [
                    f"{no} · {scale_id} · {'、'.join(map(str, items))}"
                    for no, items in report.critical
                ],
            )
        self.refresh()

    def new_plan(self):
        return self._open_then_refresh(PlanDialog(self.vault, self))


class PlanDialog(QDialog):
    def __init__(self, vault: OpenVault, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("plan_dialog")
        self.setWindowTitle(_("New assessment plan"))
        self.vault = vault
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(objectName="plan_name_edit")
        today = dt.date.today()
        self.starts = QDateEdit(today, objectName="plan_start")
        self.ends = QDateEdit(today + dt.timedelta(days=14), objectName="plan_end")
        for d in (self.starts, self.ends):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        self.consent = QLineEdit(objectName="plan_consent_edit")
        self.consent.setPlaceholderText(_("e.g. 家长知情同意书（纸质，已收回）"))
        form.addRow(_("Plan name"), self.name)  # 计划名称, never 姓名
        form.addRow(_("Starts"), self.starts)
        form.addRow(_("Ends"), self.ends)
        form.addRow(_("Informed consent"), self.consent)
        layout.addLayout(form)
        lists = QHBoxLayout()
        self.scales = QListWidget(objectName="plan_scale_list")
        for sid, d in wait(lambda: assessments.scale_catalogue(vault)).items():
            item = QListWidgetItem(d.title)
            item.setData(Qt.ItemDataRole.UserRole, sid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.scales.addItem(item)
        self.classes = QListWidget(objectName="plan_class_list")
        for g in wait(lambda: students.grades_and_classes(vault)):
            for c in g.classes:
                item = QListWidgetItem(f"{g.name}{c.name}")
                item.setData(Qt.ItemDataRole.UserRole, c.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.classes.addItem(item)
        lists.addWidget(self.scales)
        lists.addWidget(self.classes)
        layout.addLayout(lists, 1)
        self.error = error_label("plan_error")
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, self._accept))
        self.resize(720, 560)

    @staticmethod
    def _checked(widget: QListWidget) -> list[str]:
        return [
            widget.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(widget.count())
            if widget.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _accept(self) -> None:
        try:
            plan = dict(
                name=self.name.text(),
                scale_ids=self._checked(self.scales),
                class_ids=self._checked(self.classes),
                starts_on=self.starts.date().toPython(),
                ends_on=self.ends.date().toPython(),
                consent_method=self.consent.text().strip() or None,
            )
            wait(lambda: plans.create_plan(self.vault, **plan))
        except plans.OutOfRange as exc:
            from app.ui.risk_dialogs import ask_reason

            reason = ask_reason(self, _("Scale outside its stated range"), message_for(exc))
            if reason is None:
                self.error.setText(message_for(exc))
                return
            plan["out_of_range_reason"] = reason
            try:
                wait(lambda: plans.create_plan(self.vault, **plan))
            except Exception as again:
                self.error.setText(message_for(again))
                return
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        self.accept()
