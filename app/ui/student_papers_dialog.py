"""打印问卷材料: answer sheets, complete questionnaires, the students' feedback sheet and the
parent letter for a class, under the neutral title students see (kept per scale once changed)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _
from app.services import assessments, student_papers, students
from app.services.vaults import OpenVault
from app.ui.buttons import push_button
from app.ui.errors import message_for
from app.ui.form_parts import error_label
from app.ui.ops import wait

LABELS = {
    "answer_sheets": N_("Answer sheets (boxes for the answers)"),
    "questionnaires": N_("Complete questionnaires (with the items)"),
    "feedback": N_("Feedback sheet for students"),
    "parent_letters": N_("Letter to parents"),
}


class StudentPapersDialog(QDialog):
    def __init__(self, vault: OpenVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("student_papers_dialog")
        self.setWindowTitle(_("Print questionnaire papers"))
        self.vault = vault
        self.catalogue, grades = wait(
            lambda: (assessments.scale_catalogue(vault), students.grades_and_classes(vault))
        )
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.scale = QComboBox(objectName="papers_scale_combo")
        for sid, d in self.catalogue.items():
            self.scale.addItem(f"{sid} · {d.title}", sid)
        form.addRow(_("Scale"), self.scale)
        self.klass = QComboBox(objectName="papers_class_combo")
        self.klass.addItem(_("One blank copy"), None)
        for g in grades:
            for c in g.classes:
                self.klass.addItem(f"{g.name}{c.name}", c.id)
        form.addRow(_("Class"), self.klass)
        self.title = QLineEdit(objectName="papers_title_edit")
        form.addRow(_("Title students see"), self.title)
        layout.addLayout(form)
        self.kinds = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        for kind in student_papers.KINDS:
            radio = QRadioButton(_(LABELS[kind]), objectName=f"papers_{kind}_radio")
            self.kinds.addButton(radio)
            self.radios[kind] = radio
            layout.addWidget(radio)
        self.radios["answer_sheets"].setChecked(True)
        self.error = error_label("papers_error")
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(push_button(_("Print…"), "papers_print_button", self.print_papers))
        row.addWidget(push_button(_("Close"), "papers_close_button", self.reject))
        layout.addLayout(row)
        self.scale.currentIndexChanged.connect(self._scale_changed)
        self._scale_changed()

    def _scale_changed(self) -> None:
        sid = self.scale.currentData()
        self.title.setText(wait(lambda: student_papers.neutral_title(self.vault, sid)))
        texts = self.catalogue[sid].has_item_texts
        self.radios["questionnaires"].setEnabled(texts)
        self.radios["questionnaires"].setToolTip(
            "" if texts else _("This scale's item texts are not shipped (licence).")
        )
        if not texts and self.radios["questionnaires"].isChecked():
            self.radios["answer_sheets"].setChecked(True)

    def kind(self) -> str:
        return next(k for k, r in self.radios.items() if r.isChecked())

    def print_papers(self):
        from app.ui.print_preview import show_document

        sid, cid, kind, title = (
            self.scale.currentData(),
            self.klass.currentData(),
            self.kind(),
            self.title.text().strip(),
        )
        try:
            if title != wait(lambda: student_papers.neutral_title(self.vault, sid)):
                wait(lambda: student_papers.set_neutral_title(self.vault, sid, title))
        except Exception as exc:
            self.error.setText(message_for(exc))
            return None
        self.error.clear()
        return show_document(
            self,
            self.vault,
            lambda: student_papers.print_papers(self.vault, kind, sid, cid, title),
            _(LABELS[kind]),
        )
