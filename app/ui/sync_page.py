"""同步: joining the city platform, what waits to be sent, parked items, conflicts and the policy.

The counselor must always know whether warnings have reached the city: the age of the last
successful sync and the pending count (warnings separately) are the first thing on the page.
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _
from app.risk.levels import WARNING_STATUSES
from app.services import sync
from app.services.permissions import allowed
from app.services.vaults import OpenVault
from app.ui.errors import message_for
from app.ui.ops import refresh_in_lane, wait
from app.ui.sync_agent import SyncAgent
from app.ui.tables import setup_table

ENTITIES = {
    "assessment_result": N_("Assessment result"),
    "warning": N_("Warning"),
    "record": N_("Counseling record"),
    "workload": N_("Workload statistics"),
    "audit_head": N_("Audit chain head"),
}
ROSTER_FIELDS = {
    "name": N_("Name"),
    "gender": N_("Gender"),
    "birth_date": N_("Date of birth"),
    "grade_level": N_("Grade"),
    "class_number": N_("Class"),
    "status": N_("Status"),
}


FIELDS = {
    "student": N_("Student (a key only the school and the city can match, not the 学籍号)"),
    "student_no": N_("Student number"),
    "role": N_("Role"),
    "teachers": N_("Number of teachers"),
    "grade_level": N_("Grade"),
    "class_number": N_("Class"),
    "plan_id": N_("Assessment plan"),
    "scale_id": N_("Scale"),
    "scale_version": N_("Scale version"),
    "engine_version": N_("Scoring engine version"),
    "mode": N_("How it was taken"),
    "administered_at": N_("Taken at"),
    "total": N_("Total"),
    "standard_score": N_("Standard score"),
    "band_id": N_("Result code"),
    "band_label": N_("Result"),
    "subscales": N_("Factor scores"),
    "valid": N_("Valid"),
    "flags": N_("Validity flags"),
    "critical_item_count": N_("Number of critical items"),
    "status": N_("Status"),
    "answers": N_("Raw answers to each item"),
    "level": N_("Warning level"),
    "rule_id": N_("Rule"),
    "rule_set_version": N_("Rule set version"),
    "raised_at": N_("Raised at"),
    "reviewed_at": N_("Reviewed at"),
    "resolved_at": N_("Resolved at"),
    "kind": N_("Record type"),
    "occurred_at": N_("Date"),
    "voided": N_("Voided"),
    "participant_count": N_("Number of participants"),
    "*": N_("Everything"),
    "sections": N_("Narrative (template sections)"),
}
SERVER_REASONS = {
    "student not on this school's roster (publish the roster first)": N_(
        "the student is not on this school's roster at the city platform"
    ),
    "deprecates a submission of another school": N_("it corrects a submission of another school"),
    "deprecates a submission the city has not received": N_(
        "it corrects a submission the city has not received yet"
    ),
    "unknown warning level": N_("unknown warning level"),
    "student_no is required": N_("the student number is missing"),
    "payload_sha256 does not match the payload": N_("the content does not match its checksum"),
    "idempotency key reused with different content": N_(
        "a different content was already sent under this number"
    ),
}


STREAM_NAMES = {
    "roster": N_("roster"),
    "scales": N_("scales"),
    "plans": N_("assessment plans"),
    "rules": N_("warning rules"),
    "transfers": N_("transferred archives"),
}


def set_aside_text(entries: list[dict]) -> str:
    """What the city sent that this computer could not use (the city has been told)."""
    if not entries:
        return ""
    shown = "；".join(
        f"{_(STREAM_NAMES.get(e['stream'], e['stream']))} {e['id']}：{e['reason']}"
        for e in entries[:3]
    )
    more = _(" … and {n} more").format(n=len(entries) - 3) if len(entries) > 3 else ""
    return (
        _(
            "{n} items from the city could not be used and were set aside (the city was told): "
        ).format(n=len(entries))
        + shown
        + more
    )


def entity_text(key: str) -> str:
    return _(ENTITIES[key]) if key in ENTITIES else key


def field_text(entity: str, name: str) -> str:
    """学籍号 rather than student_no; record fields as 'kind · field' from the kinds table."""
    from app.records.kinds import KINDS

    if entity == "record" and "." in name:
        kind_key, field_key = name.split(".", 1)
        kind = KINDS.get(kind_key)
        if kind is not None:
            label = next((f.label for f in kind.fields if f.key == field_key), None)
            label = _(label) if label else _(FIELDS.get(field_key, field_key))
            return f"{_(kind.label)} · {label}"
    return _(FIELDS[name]) if name in FIELDS else name


def reason_text(last_error: str | None) -> str:
    """'422: unknown warning level' → 'the city refused it (422): unknown warning level' in Chinese."""
    if not last_error:
        return ""
    status, _sep, detail = last_error.partition(":")
    detail = detail.strip()
    detail = _(SERVER_REASONS[detail]) if detail in SERVER_REASONS else detail
    return _("Refused by the city ({status}): {reason}").format(
        status=status.strip(), reason=detail
    )


def value_text(key: str, value) -> str:
    from app.services.students import GENDER_LABELS, STATUS_LABELS

    if value is None:
        return ""
    if key == "gender" and value in GENDER_LABELS:
        return _(GENDER_LABELS[value])
    if key == "status" and value in STATUS_LABELS:
        return _(STATUS_LABELS[value])
    return str(value)


MODES = {"kiosk": N_("kiosk"), "paper": N_("paper"), "import": N_("import")}
_HIDDEN = {"band_id"}  # the band's own words follow as band_label
STATUSES = {"final": N_("Final"), **WARNING_STATUSES}


def payload_text(entity: str, payload: str, names: dict[str, str] | None = None) -> str:
    """Exactly what is sent, field by field in words (学籍号：…；量表：…), never raw JSON."""
    import json

    from app.risk.levels import level_name
    from app.scales.scoring import flag_reason

    try:
        data = json.loads(payload)
    except ValueError:
        return payload
    if not isinstance(data, dict):
        return str(data)
    parts = []
    for key, value in data.items():
        if key in _HIDDEN or value is None or value == [] or value == {}:
            continue
        if key in ("plan_id", "rule_id") and isinstance(value, str) and (names or {}).get(value):
            shown = names[value]
        elif key == "status" and value in STATUSES:
            shown = _(STATUSES[value])
        elif key == "mode" and value in MODES:
            shown = _(MODES[value])
        elif key == "level":
            shown = level_name(value)
        elif key == "flags" and isinstance(value, list):
            shown = "、".join(flag_reason(f) for f in value)
        elif isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif isinstance(value, str) and len(value) >= 16 and value[10:11] == "T":
            shown = value[:16].replace("T", " ")
        elif isinstance(value, list):
            shown = "、".join(str(v) for v in value)
        elif isinstance(value, dict):
            shown = "、".join(f"{k} {v}" for k, v in value.items())
        else:
            shown = value_text(key, value)
        parts.append(f"{field_text(entity, key)}：{shown}")
    return "；".join(parts)


class SyncPage(QWidget):
    def __init__(self, vault: OpenVault, agent: SyncAgent, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enrolled: bool | None = None  # as last read; None before the first read
        self.setObjectName("sync_page")
        self.vault = vault
        self.agent = agent
        layout = QVBoxLayout(self)

        self.enroll_box = QGroupBox(_("Join the city platform"), objectName="enroll_group")
        form = QFormLayout(self.enroll_box)
        self.server = QLineEdit(objectName="server_edit", placeholderText="https://")
        self.code = QLineEdit(objectName="code_edit", placeholderText="XXXX-XXXX-XXXX-XXXX")
        self.fingerprint = QLineEdit(objectName="fingerprint_edit")
        self.fingerprint.setPlaceholderText(
            _("SHA-256 fingerprint from the district (recommended)")
        )
        form.addRow(_("Server address"), self.server)
        form.addRow(_("One-time code"), self.code)
        form.addRow(_("Certificate fingerprint"), self.fingerprint)
        self.enroll_button = QPushButton(_("Join"), objectName="enroll_button")
        self.enroll_button.clicked.connect(self._enroll)
        form.addRow("", self.enroll_button)
        if not allowed(vault.user.role, "enroll_device"):
            for w in (self.server, self.code, self.fingerprint, self.enroll_button):
                w.setEnabled(False)
            form.addRow("", QLabel(_("Ask the counseling lead to connect this computer.")))
        layout.addWidget(self.enroll_box)

        self.status_box = QGroupBox(_("City platform"), objectName="status_group")
        grid = QFormLayout(self.status_box)
        self.where = QLabel(objectName="where_label")
        self.last = QLabel(objectName="last_sync_label")
        self.last.setStyleSheet("font-size: 15px; font-weight: bold")
        self.pending = QLabel(objectName="pending_label")
        self.parked = QLabel(objectName="parked_label")
        self.conflict_count = QLabel(objectName="conflict_label")
        self.error = QLabel(objectName="error_label", wordWrap=True)
        self.error.setStyleSheet("color: #b00020")
        self.set_aside = QLabel(objectName="set_aside_label", wordWrap=True)
        self.audit_problem = QLabel(objectName="audit_problem_label", wordWrap=True)
        self.audit_problem.setStyleSheet("color: #b00020; font-weight: bold")
        grid.addRow(_("Connected to"), self.where)
        grid.addRow(_("Last successful sync"), self.last)
        grid.addRow(_("Waiting to be sent"), self.pending)
        grid.addRow(_("Parked"), self.parked)
        grid.addRow(_("Conflicts"), self.conflict_count)
        grid.addRow("", self.error)
        grid.addRow("", self.set_aside)
        grid.addRow("", self.audit_problem)
        buttons = QHBoxLayout()
        self.sync_button = QPushButton(_("Sync now (F5)"), objectName="sync_now_button")
        self.sync_button.clicked.connect(self.sync_now)
        self.sync_button.setEnabled(allowed(vault.user.role, "sync"))
        QShortcut(QKeySequence("F5"), self, activated=self.sync_now)
        self.requeue = QPushButton(_("Send parked items again"), objectName="requeue_button")
        self.requeue.clicked.connect(self._requeue)
        self.requeue.setVisible(allowed(vault.user.role, "enroll_device"))
        self.busy = QProgressBar(objectName="sync_progress", maximum=0, visible=False)
        self.busy.setMaximumWidth(160)
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.busy)
        buttons.addStretch(1)
        buttons.addWidget(self.requeue)
        grid.addRow(buttons)
        layout.addWidget(self.status_box)

        self.tabs = QTabWidget(objectName="sync_tabs")
        self.outbox = self._table(
            "outbox_table", [_("Type"), _("Queued"), _("Exactly what is sent")]
        )
        self.parked_table = self._table(
            "parked_table", [_("Type"), _("Why it was parked"), _("Content")]
        )
        self.tabs.addTab(self.outbox, _("Waiting"))
        self.tabs.addTab(self.parked_table, _("Parked"))
        self.tabs.addTab(self._conflicts_tab(), _("Conflicts"))
        self.policy = self._table("policy_table", [_("Type"), _("Field"), _("Sent to the city")])
        self.tabs.addTab(self.policy, _("What is sent"))
        layout.addWidget(self.tabs, 1)

        agent.started.connect(self._started)
        agent.finished.connect(self._finished)
        agent.failed.connect(self._failed)
        agent.outbox_grew.connect(self._refresh_if_visible)
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.refresh()
        super().showEvent(event)

    def _refresh_if_visible(self) -> None:
        """Every save that queues a submission signals; a hidden page catches up when shown."""
        if self.isVisible():
            self.refresh()

    def _table(self, name: str, headers: list[str]) -> QTableWidget:
        t = QTableWidget(0, len(headers), objectName=name)
        t.setHorizontalHeaderLabels(headers)
        return setup_table(t)

    def _conflicts_tab(self) -> QWidget:
        w = QWidget()
        lay = QHBoxLayout(w)
        self.conflicts = QListWidget(objectName="conflict_list")
        self.conflicts.setMaximumWidth(220)
        self.conflicts.currentRowChanged.connect(self._show_conflict)
        lay.addWidget(self.conflicts)
        right = QVBoxLayout()
        self.compare = QTableWidget(0, 3, objectName="conflict_compare")
        self.compare.setHorizontalHeaderLabels(
            [_("Field"), _("On this computer"), _("From the city")]
        )
        setup_table(self.compare)
        for column in (1, 2):  # the two versions side by side, equally wide
            self.compare.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.Stretch
            )
        right.addWidget(self.compare, 1)
        row = QHBoxLayout()
        self.keep_local = QPushButton(
            _("Keep this computer's version"), objectName="keep_local_button"
        )
        self.use_server = QPushButton(_("Use the city's version"), objectName="use_server_button")
        self.keep_local.clicked.connect(lambda: self._resolve(False))
        self.use_server.clicked.connect(lambda: self._resolve(True))
        row.addStretch(1)
        row.addWidget(self.keep_local)
        row.addWidget(self.use_server)
        right.addLayout(row)
        lay.addLayout(right, 1)
        self._conflict_rows: list[sync.ConflictView] = []
        return w

    def refresh(self) -> None:
        """Everything the page shows, read in the database lane and shown here."""
        if self.vault.is_locked:
            return
        vault = self.vault
        may_sync = allowed(vault.user.role, "sync")

        def load() -> tuple:
            st = sync.status(vault)
            rejected = sync.rejected(vault) if st.enrolled else []
            tables = None
            if may_sync:
                from app.services import plans, warning_rules

                names = {p.id: p.name for p in plans.list_plans(vault)}
                names |= warning_rules.rule_names(vault)  # read once for both tables
                tables = (
                    names,
                    sync.outbox_rows(vault, "pending"),
                    sync.outbox_rows(vault, "parked"),
                    sync.conflicts(vault),
                )
            return st, rejected, tables, sync.policy_rows(vault)

        refresh_in_lane(self, load, self._show)

    def _show(self, data: tuple) -> None:
        st, rejected, tables, policy_rows = data
        self.enrolled = st.enrolled
        self.enroll_box.setVisible(not st.enrolled)
        self.status_box.setVisible(st.enrolled)
        if st.enrolled:
            pin = _("certificate pinned") if st.pinned else _("system certificates")
            self.where.setText(f"{st.school_name} · {st.server_url} · {pin}")
            self.last.setText(st.age_text())
            text = _("{n} items").format(n=st.pending)
            if st.pending_warnings:
                text += " · " + _("{n} warnings not yet delivered to the city").format(
                    n=st.pending_warnings
                )
            self.pending.setText(text)
            self.pending.setStyleSheet("color: #b00020" if st.pending_warnings else "")
            self.parked.setText(_("{n} items").format(n=st.parked))
            self.conflict_count.setText(_("{n} items").format(n=st.conflicts))
            self.error.setText(
                st.last_error and _("Last attempt failed; it will be tried again.") or ""
            )
            self.set_aside.setText(set_aside_text(rejected))
            self.audit_problem.setText(
                _("Audit check with the city: {problem}").format(problem=st.audit_problem)
                if st.audit_problem
                else ""
            )
        if tables is not None:
            names, pending, parked, conflicts = tables
            self._fill_outbox(self.outbox, pending, names, error=False)
            self._fill_outbox(self.parked_table, parked, names, error=True)
            self._fill_conflicts(conflicts)
        self._fill_policy(policy_rows)

    def _fill_outbox(self, table: QTableWidget, rows, names: dict[str, str], error: bool) -> None:
        table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            middle = reason_text(r.last_error) if error else r.created_at.strftime("%Y-%m-%d %H:%M")
            content = payload_text(r.entity, r.payload, names)
            for c, text in enumerate((entity_text(r.entity), middle, content)):
                item = QTableWidgetItem(text)
                if c == 0 and r.entity == "warning":
                    item.setBackground(QBrush(QColor("#ffcdd2")))
                table.setItem(i, c, item)

    def _fill_policy(self, rows: list) -> None:
        self.policy.setRowCount(len(rows))
        for i, r in enumerate(rows):
            mark = _("sent") if r.sent else (_("never (fixed)") if r.locked else _("not sent"))
            if r.offered:
                mark = _("new in this release, not sent until an admin decides")
            for c, text in enumerate((entity_text(r.entity), field_text(r.entity, r.field), mark)):
                item = QTableWidgetItem(text)
                if c == 2 and r.sent:
                    item.setForeground(QBrush(QColor("#1b5e20")))
                self.policy.setItem(i, c, item)

    def _fill_conflicts(self, rows: list) -> None:
        self._conflict_rows = rows
        self.conflicts.clear()
        for c in self._conflict_rows:
            self.conflicts.addItem(QListWidgetItem(f"{c.student_no} · {c.local.get('name', '')}"))
        has = bool(self._conflict_rows)
        self.keep_local.setEnabled(has)
        self.use_server.setEnabled(has)
        if has:
            self.conflicts.setCurrentRow(0)
        else:
            self.compare.setRowCount(0)

    def _show_conflict(self, row: int) -> None:
        if not 0 <= row < len(self._conflict_rows):
            return
        c = self._conflict_rows[row]
        keys = [k for k in ROSTER_FIELDS if k == "name" or c.server.get(k) is not None]
        self.compare.setRowCount(len(keys))
        for i, key in enumerate(keys):
            local, server = c.local.get(key), c.server.get(key)
            cells = (_(ROSTER_FIELDS[key]), value_text(key, local), value_text(key, server))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if local != server:
                    item.setBackground(QBrush(QColor("#fff3cd")))
                self.compare.setItem(i, col, item)

    def _resolve(self, use_server: bool) -> None:
        row = self.conflicts.currentRow()
        if not 0 <= row < len(self._conflict_rows):
            return
        try:
            conflict_id = self._conflict_rows[row].id
            wait(lambda: sync.resolve_conflict(self.vault, conflict_id, use_server))
        except Exception as exc:
            QMessageBox.warning(self, _("Sync"), message_for(exc))
        self.refresh()

    def sync_now(self) -> None:
        """F5 or the button: the agent's session (the enrolment as last read by the page)."""
        if allowed(self.vault.user.role, "sync") and self.enrolled is not False:
            self.agent.sync_now()

    def _started(self) -> None:
        self.busy.setVisible(True)
        self.sync_button.setEnabled(False)

    def _finished(self, _report) -> None:
        self.busy.setVisible(False)
        self.sync_button.setEnabled(True)
        self.refresh()

    def _failed(self, message: str) -> None:
        self._finished(None)
        self.error.setText(message)

    def _enroll(self) -> None:
        other_school = False
        url, code = self.server.text().strip(), self.code.text().strip()
        fingerprint = self.fingerprint.text().strip() or None
        while True:
            try:
                wait(
                    lambda other=other_school: sync.enroll(
                        self.vault, url, code, fingerprint, other_school=other
                    )
                )
                break
            except sync.OtherSchool as exc:
                asked = QMessageBox.question(
                    self,
                    _("Join the city platform"),
                    str(exc),
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                    QMessageBox.StandardButton.No,
                )
                if asked != QMessageBox.StandardButton.Yes:
                    return
                other_school = True
            except Exception as exc:
                QMessageBox.warning(self, _("Join the city platform"), message_for(exc))
                return
        self.code.clear()
        self.refresh()
        self.agent.sync_now()

    def _requeue(self) -> None:
        wait(lambda: sync.requeue_parked(self.vault))
        self.refresh()
        self.agent.sync_now()
