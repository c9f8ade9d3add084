"""The archive opens with its glance strip; the student list has a 预警 column and filter."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.services import assessments, students
from app.ui.application import Shell
from app.ui.ops import Ops


def _shell(qtbot, vault):
    shell = Shell(vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.show()
    shell.enter(vault)
    return shell


def test_the_archive_opens_with_the_level_and_why(qtbot, populated_vault):
    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [2], mode="paper")
    shell = _shell(qtbot, populated_vault)
    ws = shell.workspace
    ws.show_section("students")
    search = ws.students.search
    search.setFocus()
    QTest.keyClicks(search, kid.student_no)
    QTest.keyClick(search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ws.archive is not None and ws.archive.glance is not None)
    strip = ws.archive.glance
    qtbot.waitUntil(lambda: "一级（红）" in strip.warning.text())
    assert "PHQ-9 第9题" in strip.warning.text()
    assert "PHQ-9" in strip.results.text() and "无进行中的个案" in strip.case.text()
    shell.lock()


def test_the_list_shows_the_level_and_filters_by_it_by_key(qtbot, populated_vault):
    kids = students.search_students(populated_vault, limit=2)
    assessments.record_result(populated_vault, kids[1].id, "GAD-7", [2] * 7, mode="paper")
    shell = _shell(qtbot, populated_vault)
    ws = shell.workspace
    ws.show_section("students")
    page = ws.students
    model = page.model
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert header[-1] == "预警"
    risk = page.risk
    risk.setFocus()
    QTest.keyClick(risk, Qt.Key.Key_Down)  # 有未结预警
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    assert model.row_at(0).id == kids[1].id
    assert model.data(model.index(0, len(header) - 1)) == "三级（黄）"
    assert page.count_label.text() == "共 1 名学生"
    assessments.record_result(populated_vault, kids[0].id, "PHQ-9", [0] * 8 + [1], mode="paper")
    qtbot.waitUntil(lambda: model.rowCount() == 2)  # raised elsewhere: listed at once
    shown = {model.row_at(r).id: model.data(model.index(r, len(header) - 1)) for r in range(2)}
    assert shown == {kids[0].id: "一级（红）", kids[1].id: "三级（黄）"}
    shell.lock()


def test_the_principals_list_has_no_warning_column(qtbot, populated_vault, principal):
    shell = _shell(qtbot, principal)
    ws = shell.workspace
    model = ws.students.model
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "预警" not in header and not ws.students.risk.isVisibleTo(ws.students)
    shell.lock()
