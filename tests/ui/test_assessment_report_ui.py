"""The per-student report is opened from the archive and from the 测评 page, by keys and clicks."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QPushButton

from app.services import assessments, students
from app.ui.application import Shell
from app.ui.assessments_page import AssessmentsPage
from app.ui.ops import Ops
from app.ui.print_preview import PrintPreview
from tests.ui.modals import click, type_text


@pytest.fixture
def kid(populated_vault):
    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "GAD-7", [1] * 7, mode="paper")
    return kid


def test_the_archive_opens_the_report_of_the_chosen_result(qtbot, populated_vault, kid):
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.enter(populated_vault)
    shell.workspace.open_student(kid.id)
    archive = shell.workspace.archive
    archive.tabs.setCurrentIndex(1)
    click(archive.findChild(QPushButton, "assessment_report_button"))
    preview = archive.findChild(PrintPreview)
    assert preview is not None and preview.images and preview.serial.startswith("XD")
    preview.close()


def test_the_assessments_page_finds_a_student_by_pinyin_and_opens_with_enter(
    qtbot, populated_vault, kid
):
    page = AssessmentsPage(populated_vault)
    qtbot.addWidget(page)
    page.show()
    click(page.findChild(QPushButton, "report_button"))
    dialog = page.findChild(object, "report_picker_dialog")
    picker = dialog.picker
    entry = next(k for k, v in picker.choices.items() if v == kid.id)
    picker.setFocus()
    type_text(picker, entry)
    results = dialog.findChild(QListWidget, "report_result_list")
    assert results.count() == 1 and "GAD-7" in results.item(0).text()
    qtbot.keyClick(picker, Qt.Key.Key_Return)
    assert results.hasFocus() or results.currentRow() == 0
    qtbot.keyClick(results, Qt.Key.Key_Return)
    preview = dialog.findChild(PrintPreview)
    assert preview is not None and preview.images
    preview.close()
