"""打印问卷材料 through the widgets: the kind, the class and the neutral title, by clicks."""

from PySide6.QtWidgets import QPushButton

from app.services import student_papers
from app.ui.assessments_page import AssessmentsPage
from app.ui.print_preview import PrintPreview
from tests.ui.modals import click, type_text


def open_dialog(qtbot, vault):
    page = AssessmentsPage(vault)
    qtbot.addWidget(page)
    page.show()
    click(page.findChild(QPushButton, "answer_sheet_button"))
    return page.findChild(object, "student_papers_dialog")


def test_a_parent_letter_for_a_class_prints_from_the_dialog(qtbot, populated_vault):
    dialog = open_dialog(qtbot, populated_vault)
    dialog.klass.setCurrentIndex(1)
    click(dialog.radios["parent_letters"])
    click(dialog.findChild(QPushButton, "papers_print_button"))
    preview = dialog.findChild(PrintPreview)
    assert preview is not None and len(preview.images) > 1
    preview.close()


def test_a_changed_title_is_kept_for_the_scale(qtbot, populated_vault):
    dialog = open_dialog(qtbot, populated_vault)
    dialog.scale.setCurrentIndex(dialog.scale.findData("PHQ-9"))
    dialog.title.selectAll()
    dialog.title.del_()
    dialog.title.setFocus()
    type_text(dialog.title, "成长问卷 甲")
    click(dialog.findChild(QPushButton, "papers_print_button"))
    assert student_papers.neutral_title(populated_vault, "PHQ-9") == "成长问卷 甲"
    dialog.findChild(PrintPreview).close()


def test_questionnaires_are_offered_only_where_the_texts_ship(qtbot, populated_vault):
    dialog = open_dialog(qtbot, populated_vault)
    dialog.scale.setCurrentIndex(dialog.scale.findData("SCL-90"))
    assert not dialog.radios["questionnaires"].isEnabled()
    dialog.scale.setCurrentIndex(dialog.scale.findData("PHQ-9"))
    assert dialog.radios["questionnaires"].isEnabled()
