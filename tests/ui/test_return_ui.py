"""复学 through the real widgets: chosen from the archive's 新建记录 menu by keys, typed, saved;
its follow-ups on the home page, and the loop with its dates beside the warning."""

import datetime as dt

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from app.services import assessments, records, students
from app.ui.application import Shell
from app.ui.ops import Ops
from app.ui.record_form import RecordForm
from tests.ui.modals import click, click_ok, send_key, type_text


def _choose_in_menu(label: str) -> None:
    """In the menu that pops up: ↓ until `label` is lit, then Enter (as a person would)."""

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        if menu is None:
            QTimer.singleShot(20, pick)
            return
        for _ in range(len(menu.actions()) + 1):
            send_key(menu, Qt.Key.Key_Down)
            if menu.activeAction() is not None and menu.activeAction().text() == label:
                send_key(menu, Qt.Key.Key_Return)
                return
        menu.close()

    QTimer.singleShot(0, pick)


def test_a_return_to_school_is_typed_from_the_archive_and_its_follow_ups_come_due(
    qtbot, populated_vault
):
    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [2], mode="paper")
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.show()
    shell.enter(populated_vault)
    ws = shell.workspace
    ws.open_student(kid.id)
    timeline = ws.archive.findChild(object, "timeline_view")
    _choose_in_menu("复学")
    click(timeline.findChild(object, "new_record_menu"))
    QApplication.processEvents()
    form = timeline.findChild(RecordForm)
    assert form is not None and form.kind.key == "return_to_school"
    box = form.findChild(QLineEdit, "field_meeting_participants")
    box.setFocus()
    type_text(box, "王老师、班主任、母亲")
    form.findChild(object, "documents_certificate").click()
    first = form.findChild(object, "field_first_follow_up").findChild(QLineEdit, "date_text")
    first.setFocus()
    type_text(first, dt.date.today().isoformat())
    count = form.editors["follow_up_count"]
    count.setFocus()
    count.selectAll()
    QTest.keyClicks(count, "3")
    click_ok(form)
    today = records.upcoming(populated_vault, dt.datetime.combine(dt.date.today(), dt.time.max))
    assert [u.what for u in today] == ["复学后跟进（第 1 次，共 3 次）"]
    ws.show_section("home")
    qtbot.waitUntil(lambda: ws.home.today.count() == 1)
    assert "复学后跟进（第 1 次，共 3 次）" in ws.home.today.text(0)
    ws.show_section("warnings")
    page = ws.warnings
    rect = page.table.visualRect(page.table.model().index(0, 0))
    QTest.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    pane = page.pane.text.toPlainText()
    assert (
        "转介、送医与复学" in pane
        and "复学面谈（王老师、班主任、母亲）；收到材料：复学证明" in pane
    )
    assert "复学后跟进（第 3 次，共 3 次）（未进行）" in pane
    shell.lock()
