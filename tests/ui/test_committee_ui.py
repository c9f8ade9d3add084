"""心理委员 through the window: appoint by typing a name, enter a member's report by keys and
clicks (an urgent one raises its warning at once), and the class leaves the not-reported list."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.services import students, warnings
from app.ui.records_page import RecordsPage
from tests.ui.modals import click, click_ok, pick_student, type_text


def test_appoint_report_and_the_rhythm(qtbot, populated_vault):
    page = RecordsPage(populated_vault)
    qtbot.addWidget(page)
    page.show()
    click(page.findChild(object, "committee_button"))
    dialog = page.findChild(object, "committee_dialog")
    kid = students.search_students(populated_vault, limit=1)[0]
    pick_student(dialog.picker, kid.student_no)
    click(dialog.findChild(object, "appoint_button"))
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 1).text() == kid.name
    assert dialog.missing.rowCount() == 1 and dialog.missing.item(0, 2).text() == "尚无"
    dialog.table.setCurrentCell(0, 0)
    click(dialog.findChild(object, "report_button"))
    report = dialog.findChild(object, "committee_report_dialog")
    about = report.about
    about.setFocus()
    QTest.keyClick(about, Qt.Key.Key_Down)
    classmate = about.currentData()
    click(report.findChild(object, "sign_self_harm_signs"))
    words = report.content
    words.setFocus()
    type_text(words, "手腕上有划痕，说不想让老师知道")
    click_ok(report)
    assert not report.isVisible()
    [w] = [w for w in warnings.queue(populated_vault) if w.student_id == classmate]
    assert w.level == "orange"
    assert dialog.missing.rowCount() == 0  # the report counts for the rhythm
    dialog.close()
