"""Scans through the window: read in the background, then confirmed one key per item."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.services import assessments
from app.ui.assessments_page import AssessmentsPage
from app.ui.scan_review_dialog import ScanReviewDialog
from tests.ui.modals import click


def page(qtbot, vault) -> AssessmentsPage:
    p = AssessmentsPage(vault)
    qtbot.addWidget(p)
    p.show()
    return p


def test_held_items_are_confirmed_by_keys_and_the_sheet_enters_the_archive(
    qtbot, populated_vault, scanned
):
    styles = {i: "full" for i in range(1, 8)}
    styles[3], styles[5] = "two", "blank"
    paths, _t, kids = scanned("GAD-7", styles=styles, count=1)
    p = page(qtbot, populated_vault)
    p.scan_sheets([str(x) for x in paths])
    dialog = p.findChild(ScanReviewDialog)
    table = dialog.table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["3", "5"]
    assert table.item(0, 1).text() == "涂了两个或以上"
    assert not table.item(0, 2).data(Qt.ItemDataRole.DecorationRole).isNull()
    qtbot.keyClick(table, "2")  # the paper shows 2 was meant
    qtbot.keyClick(table, Qt.Key.Key_Delete)  # item 5 really is blank
    [row] = assessments.history(populated_vault, kids[0].id)
    assert row.mode == "scan" and 5 in row.missing_items
    assert dialog.who.text() == "没有待确认的答卷。"


def test_sheets_with_nothing_to_confirm_are_stored_by_one_button(qtbot, populated_vault, scanned):
    paths, _t, kids = scanned("GAD-7", styles={i: "full" for i in range(1, 8)}, count=2)
    p = page(qtbot, populated_vault)
    p.scan_sheets([str(x) for x in paths])
    dialog = p.findChild(ScanReviewDialog)
    button = dialog.findChild(QPushButton, "scan_accept_ready_button")
    assert button.text() == "将无需确认的 2 份答卷入档"
    click(button)
    assert all(len(assessments.history(populated_vault, k.id)) == 1 for k in kids)


def test_a_value_not_on_the_sheet_is_refused_and_said(qtbot, populated_vault, scanned):
    styles = {i: "full" for i in range(1, 8)}
    styles[2] = "two"
    paths, _t, _k = scanned("GAD-7", styles=styles, count=1)
    p = page(qtbot, populated_vault)
    p.scan_sheets([str(x) for x in paths])
    dialog = p.findChild(ScanReviewDialog)
    qtbot.keyClick(dialog.table, "7")
    assert "7 不是本答卷的选项" in dialog.error.text()
    assert dialog.table.item(0, 4).text() == ""


def test_every_sheet_waiting_is_listed_and_chosen_by_a_click(qtbot, populated_vault, scanned):
    styles = {i: "full" for i in range(1, 8)}
    styles[4] = "two"
    paths, _t, kids = scanned("GAD-7", styles=styles, count=2)
    p = page(qtbot, populated_vault)
    p.scan_sheets([str(x) for x in paths])
    dialog = p.findChild(ScanReviewDialog)
    sheets = dialog.list
    assert sheets.count() == 2
    second = sheets.item(1).text()
    rect = sheets.visualItemRect(sheets.item(1))
    qtbot.mouseClick(sheets.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    name = second.split(" ")[1]
    assert name in dialog.who.text()
