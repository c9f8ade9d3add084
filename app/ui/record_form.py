"""One form for every record kind, built from its field list; an edit saves a new version."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.records.choices import TEMPLATES
from app.records.kinds import get_kind
from app.services import records, students
from app.services.records import Participant, RecordView
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.discard_guard import confirm_discard, form_state
from app.ui.errors import message_for
from app.ui.field_editors import checkable_list, checked, editor_for, get_value, set_value
from app.ui.form_parts import error_label
from app.ui.ops import current, wait
from app.ui.tables import setup_table


class RecordForm(QDialog):
    """New (record=None) or existing record of `kind`; saving an existing one makes a new version."""

    def __init__(
        self,
        vault: OpenVault,
        kind: str,
        *,
        student_id: str | None = None,
        class_id: str | None = None,
        parent_id: str | None = None,
        record: RecordView | None = None,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("record_form")
        self.vault = vault
        self.kind = get_kind(kind)
        self.record = record
        self.student_id = record.student_id if record else student_id
        self.class_id = record.class_id if record else class_id
        self.parent_id = record.parent_id if record else parent_id
        self.saved: RecordView | None = None
        title = _(self.kind.label)
        if self.student_id:
            from app.services.students import student_label

            title += " · " + wait(lambda: student_label(vault, self.student_id))
        if record is not None:
            title += "  " + _("(version {n})").format(n=record.version)
            if record.voided:
                title += "  " + _("VOIDED: {reason}").format(reason=record.void_reason)
        self.setWindowTitle(title)
        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        inner = QWidget()
        self.form = QFormLayout(inner)
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)

        self.when = QDateTimeEdit(QDateTime.currentDateTime(), objectName="field_occurred_at")
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.form.addRow(_("Date and time"), self.when)
        self.class_pick_top: QComboBox | None = None
        self.more_classes: QListWidget | None = None
        if self.kind.scope == "class":
            self.class_pick_top = QComboBox(objectName="field_class")
            names = [
                (f"{g.name}{c.name}", c.id)
                for g in wait(lambda: students.grades_and_classes(vault))
                for c in g.classes
            ]
            for name, cid in names:
                self.class_pick_top.addItem(name, cid)
            if self.class_id:
                self.class_pick_top.setCurrentIndex(
                    max(0, self.class_pick_top.findData(self.class_id))
                )
            self.form.addRow(_("Class"), self.class_pick_top)
            if record is None:  # the same lesson taught in other classes, recorded once
                self.more_classes = checkable_list("field_more_classes", names)
                self.form.addRow(_("Also in (Space ticks)"), self.more_classes)
        self.case_pick: QComboBox | None = None
        if self.kind.parent_kind == "case" and self.student_id:
            self.case_pick = QComboBox(objectName="field_case")
            self.case_pick.addItem(_("(no case)"), None)
            for c in wait(lambda: records.student_cases(vault, self.student_id)):
                status = _("Closed") if c.body.get("status") == "closed" else _("Open")
                self.case_pick.addItem(
                    f"{c.occurred_at:%Y-%m-%d} {c.title or _('Counseling case')}（{status}）", c.id
                )
            if self.parent_id:
                self.case_pick.setCurrentIndex(max(0, self.case_pick.findData(self.parent_id)))
            elif self.case_pick.count() > 1:
                self.case_pick.setCurrentIndex(1)  # the newest case
            self.form.addRow(_("Case"), self.case_pick)
        self.title = QLineEdit(objectName="field_title")
        if self.kind.key in ("case", "group_program"):
            self.form.addRow(_("Title"), self.title)
        self.editors: dict[str, QWidget] = {}
        self.hidden: dict[str, object] = {}
        for f in self.kind.fields:
            if f.hidden:
                self.hidden[f.key] = f.default
                continue
            w = editor_for(f)
            set_value(f, w, f.default)
            self.editors[f.key] = w
            self.form.addRow(_(f.label) + (" *" if f.required else ""), w)
        self.section_box: QGroupBox | None = None
        self.section_edits: dict[str, QPlainTextEdit] = {}
        if self.kind.sections:
            self.section_box = QGroupBox(_("Notes"))
            self.section_layout = QFormLayout(self.section_box)
            self.form.addRow(self.section_box)
            self.editors["template"].currentIndexChanged.connect(lambda _i: self._build_sections())
            self._build_sections()
        self.participant_table: QTableWidget | None = None
        if self.kind.participants:
            self._build_participants()
        if record is not None:
            self._load(record)

        self.error = error_label("record_error")
        outer.addWidget(self.error)
        row = QHBoxLayout()
        if self.kind.key == "session" and record is None and self.student_id:
            previous = QPushButton(
                _("Start from the previous session"), objectName="from_previous_button"
            )
            previous.clicked.connect(self.fill_from_previous)
            row.addWidget(previous)
        if record is not None and self.kind.key == "case_conference":
            row.addWidget(push_button(_("Print the plan…"), "print_plan_button", self.print_plan))
        if record is not None:
            history = QPushButton(_("History…"), objectName="history_button")
            history.clicked.connect(self.show_history)
            row.addWidget(history)
            void = QPushButton(_("Void…"), objectName="void_button")
            void.clicked.connect(self.ask_void)
            void.setEnabled(not record.voided)
            row.addWidget(void)
        row.addStretch(1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(
            not (record and record.voided) and self.kind.listed  # a roster change is read here
        )
        row.addWidget(buttons)
        outer.addLayout(row)
        self.resize(720, 680)
        self._as_opened = form_state(self)

    # --- drafts (the vault locked under the form) ------------------------------------------
    def draft(self) -> dict:
        """Everything typed, as the widgets hold it (a half-typed date stays half-typed)."""
        fields = {}
        for f in self.kind.fields:
            if f.hidden:
                continue
            w = self.editors[f.key]
            if f.type == "date":
                fields[f.key] = w.edit.text()
            elif f.type == "datetime":
                fields[f.key] = [w.date.edit.text(), w.time.time().toString("HH:mm")]
            else:
                fields[f.key] = get_value(f, w)
        out = {
            "title": self.title.text(),
            "occurred_at": self.when.dateTime().toString("yyyy-MM-ddTHH:mm"),
            "fields": fields,
            "sections": {k: e.toPlainText() for k, e in self.section_edits.items()},
        }
        if self.case_pick is not None:
            out["case"] = self.case_pick.currentData()
        return out

    def apply_draft(self, values: dict) -> None:
        self.title.setText(values.get("title", ""))
        when = QDateTime.fromString(values.get("occurred_at", ""), "yyyy-MM-ddTHH:mm")
        if when.isValid():
            self.when.setDateTime(when)
        if self.case_pick is not None and values.get("case"):
            self.case_pick.setCurrentIndex(max(0, self.case_pick.findData(values["case"])))
        for f in self.kind.fields:
            if f.hidden or f.key not in values.get("fields", {}):
                continue
            w, value = self.editors[f.key], values["fields"][f.key]
            if f.type == "date":
                w.edit.setText(value or "")
            elif f.type == "datetime":
                w.date.edit.setText(value[0] or "")
                w.time.setTime(QTime.fromString(value[1], "HH:mm"))
            else:
                set_value(f, w, value)
        if self.kind.sections:
            self._build_sections(values.get("sections") or {})

    def keep_as_draft(self) -> str | None:
        """On lock: typing that was not saved goes into the vault as this user's draft."""
        if self.saved is not None or form_state(self) == self._as_opened:
            return None
        from app.services import drafts

        values = self.draft()
        record_id = self.record.id if self.record else None
        return wait(
            lambda: drafts.keep_draft(
                self.vault,
                self.kind.key,
                values,
                student_id=self.student_id,
                parent_id=self.parent_id,
                record_id=record_id,
            )
        )

    def reject(self) -> None:
        """Esc, Cancel or the close button: ask first if anything was typed and not saved."""
        typed = self.saved is None and form_state(self) != self._as_opened
        if typed and not confirm_discard(self):
            return
        super().reject()

    # --- sections and participants --------------------------------------------------------
    def _build_sections(self, values: dict | None = None) -> None:
        current = {k: e.toPlainText() for k, e in self.section_edits.items()}
        current.update(values or {})
        while self.section_layout.rowCount():
            self.section_layout.removeRow(0)
        self.section_edits = {}
        template = self.editors["template"].currentData() or "school"
        for key, label in TEMPLATES[template][1]:
            edit = QPlainTextEdit(current.get(key, ""), objectName=f"section_{key}")
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(60)
            self.section_edits[key] = edit
            self.section_layout.addRow(_(label), edit)

    def _build_participants(self) -> None:
        related = self.kind.key == "crisis"
        box = QGroupBox(_("Related students (follow-up screening)") if related else _("Attendance"))
        layout = QVBoxLayout(box)
        pick = QHBoxLayout()
        self.class_pick = QComboBox(objectName="participant_class_combo")
        for g in wait(lambda: students.grades_and_classes(self.vault)):
            for c in g.classes:
                self.class_pick.addItem(f"{g.name}{c.name}", c.id)
        add = QPushButton(_("Add the class"), objectName="add_class_button")
        add.clicked.connect(self._add_class)
        pick.addWidget(self.class_pick, 1)
        pick.addWidget(add)
        layout.addLayout(pick)
        self.participant_table = QTableWidget(0, 3, objectName="participant_table")
        self.participant_table.setHorizontalHeaderLabels(
            [
                _("Student"),
                _("Follow up") if related else _("Attended"),
                _("Relation") if related else _("Observation"),
            ]
        )
        setup_table(self.participant_table, editable=True)
        layout.addWidget(self.participant_table)
        self._participant_ids: list[str] = []
        self.form.addRow(box)

    def _add_class(self) -> None:
        wanted = students.StudentFilter(class_id=self.class_pick.currentData(), status="enrolled")
        rows = wait(lambda: students.search_students(self.vault, wanted, sort="name"))
        self.add_participants([(r.id, r.name) for r in rows])

    def add_participants(self, people: list[tuple[str, str]], attended: bool = True) -> None:
        t = self.participant_table
        for sid, name in people:
            if sid in self._participant_ids:
                continue
            self._participant_ids.append(sid)
            r = t.rowCount()
            t.insertRow(r)
            item = QTableWidgetItem(name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            t.setItem(r, 0, item)
            check = QTableWidgetItem()
            check.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            check.setCheckState(Qt.CheckState.Checked if attended else Qt.CheckState.Unchecked)
            t.setItem(r, 1, check)
            t.setItem(r, 2, QTableWidgetItem(""))

    def participants(self) -> list[Participant]:
        t = self.participant_table
        out = []
        for r, sid in enumerate(self._participant_ids):
            note = t.item(r, 2).text().strip() or None
            out.append(Participant(sid, t.item(r, 1).checkState() == Qt.CheckState.Checked, note))
        return out

    # --- load / save ------------------------------------------------------------------------
    def _load(self, r: RecordView) -> None:
        self.when.setDateTime(QDateTime(r.occurred_at))
        self.title.setText(r.title)
        for f in self.kind.fields:
            if f.hidden:
                self.hidden[f.key] = r.body.get(f.key)
            else:
                set_value(f, self.editors[f.key], r.body.get(f.key))
        if self.kind.sections:
            self._build_sections(r.body.get("sections", {}))
        if self.kind.participants and r.participants:
            names = {x.id: x.name for x in wait(lambda: students.search_students(self.vault))}
            for p in r.participants:
                self.add_participants(
                    [(p.student_id, names.get(p.student_id, p.student_id))], p.attended
                )
                self.participant_table.item(self.participant_table.rowCount() - 1, 2).setText(
                    p.observation or ""
                )

    def body(self) -> dict:
        out = {f.key: get_value(f, self.editors[f.key]) for f in self.kind.fields if not f.hidden}
        out.update(self.hidden)
        if self.kind.sections:
            out["sections"] = {k: e.toPlainText() for k, e in self.section_edits.items()}
        return out

    def fill_from_previous(self) -> bool:
        prev = wait(lambda: records.previous_session(self.vault, self.student_id))
        if prev is None:
            self.error.setText(_("There is no previous session yet."))
            return False
        for f in self.kind.fields:
            # Today's risk is judged today: the screen is never copied from last time.
            if f.key != "next_appointment" and not f.hidden and not f.key.startswith("risk_"):
                set_value(f, self.editors[f.key], prev.body.get(f.key))
        self._build_sections(prev.body.get("sections", {}))
        if self.case_pick is not None and prev.parent_id:
            self.case_pick.setCurrentIndex(max(0, self.case_pick.findData(prev.parent_id)))
        return True

    def save(self) -> None:
        """Saved in the database lane (behind any long work there, the window stays live); the
        form closes when the record is stored, or shows why not."""
        if getattr(self, "_saving", False):
            return
        when = self.when.dateTime().toPython()
        if self.class_pick_top is not None:
            self.class_id = self.class_pick_top.currentData()
        if self.case_pick is not None and self.record is None:
            self.parent_id = self.case_pick.currentData()
        try:  # a field that does not read (a date typed as words) is said beside the form
            participants = self.participants() if self.participant_table is not None else None
            body = self.body()
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        vault, kind, title = self.vault, self.kind.key, self.title.text()
        student_id, class_id, parent_id = self.student_id, self.class_id, self.parent_id
        record = self.record
        others = checked(self.more_classes) if self.more_classes is not None else []
        if record is None and others:

            def work():
                return records.create_for_classes(
                    vault, kind, [class_id, *others], occurred_at=when, body=body, title=title
                )[0]
        elif record is None:

            def work():
                return records.create_record(
                    vault,
                    kind,
                    occurred_at=when,
                    body=body,
                    title=title,
                    student_id=student_id,
                    class_id=class_id,
                    parent_id=parent_id,
                    participants=participants,
                )
        else:

            def work():
                return records.update_record(
                    vault,
                    record.id,
                    body=body,
                    title=title,
                    occurred_at=when,
                    participants=participants,
                )

        self._saving = True
        current().run(work, self._stored, self._refused)

    def _stored(self, saved) -> None:
        self._saving = False
        self.saved = saved
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self._saving = False
        self.error.setText(message_for(exc))

    def print_plan(self):
        """The saved conference as the one-page plan with the parent's signature line."""
        from app.services import printing
        from app.ui.print_preview import show_document

        vault, record_id = self.vault, self.record.id
        return show_document(
            self,
            vault,
            lambda: printing.intervention_plan(vault, record_id),
            _("Intervention plan"),
        )

    def show_history(self) -> QDialog:
        dialog = QDialog(self)
        dialog.setObjectName("history_dialog")
        dialog.setWindowTitle(_("Earlier versions"))
        layout = QVBoxLayout(dialog)
        lst = QListWidget(objectName="version_list")
        for v in wait(lambda: records.versions(self.vault, self.record.id)):
            text = "；".join(f"{k}: {val}" for k, val in v.body.items() if k != "sections")
            lst.addItem(
                _("Version {n}, saved {when}: {text}").format(
                    n=v.version, when=f"{v.saved_at:%Y-%m-%d %H:%M}", text=text
                )
            )
        if lst.count() == 0:
            layout.addWidget(QLabel(_("This is the first version.")))
        layout.addWidget(lst)
        dialog.resize(640, 360)
        dialog.open()
        return dialog

    def ask_void(self) -> None:
        reason, ok = QInputDialog.getText(
            self, _("Void"), _("Why is this record void? (It stays visible as void.)")
        )
        if ok:
            self.void(reason)

    def void(self, reason: str) -> bool:
        try:
            self.saved = wait(lambda: records.void_record(self.vault, self.record.id, reason))
        except Exception as exc:
            QMessageBox.warning(self, _("Void"), message_for(exc))
            return False
        self.accept()
        return True
