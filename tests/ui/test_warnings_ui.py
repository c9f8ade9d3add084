"""The warning queue and the archive's level history through the real widgets."""

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from app.services import assessments, students, warnings
from app.ui.application import Shell
from app.ui.ops import Ops
from app.ui.warnings_page import WarningsPage
from tests.ui.modals import (
    answer_modals,
    cancel,
    click,
    click_ok,
    no,
    press,
    type_and_ok,
    type_text,
    yes,
)


def _button(page, name):
    from PySide6.QtWidgets import QPushButton

    return page.findChild(QPushButton, name)


def _select(qtbot, table, row):
    rect = table.visualRect(table.model().index(row, 0))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_queue_lists_by_level_and_walks_the_lifecycle_by_buttons(qtbot, populated_vault):
    kids = students.search_students(populated_vault, limit=2)
    assessments.record_result(populated_vault, kids[0].id, "GAD-7", [2] * 7, mode="paper")
    assessments.record_result(populated_vault, kids[1].id, "PHQ-9", [0] * 8 + [1], mode="paper")
    page = WarningsPage(populated_vault)
    qtbot.addWidget(page)
    page.show()
    assert [page.table.text(r, 0) for r in range(2)] == ["一级（红）", "三级（黄）"]
    assert page.table.text(0, 5) == dt.date.today().isoformat()
    _select(qtbot, page.table, 0)
    seen = answer_modals(type_and_ok("面谈确认，已通知家长"), yes)
    click(_button(page, "confirm_button"))
    assert seen == ["确认预警", "确认预警"]
    w = warnings.history(populated_vault, kids[1].id)[0]
    assert w.status == "confirmed"
    with populated_vault.session() as s:
        from app.models import Warning

        assert s.get(Warning, w.id).review_note == "面谈确认，已通知家长"
    _select(qtbot, page.table, 0)

    def task(dialog):
        from PySide6.QtWidgets import QDateEdit, QLineEdit

        type_text(dialog.findChild(QLineEdit, "task_title_edit"), "每周复谈")
        dialog.findChild(QDateEdit, "task_due_edit").setDate(QDate.currentDate().addDays(-1))
        press("OK", "确定")(dialog)

    answer_modals(task)
    click(_button(page, "task_button"))
    assert page.overdue.count() == 1 and not page.overdue_box.isHidden()
    assert "每周复谈" in page.overdue.item(0).text()
    click(_button(page, "task_done_button"))
    assert page.overdue_box.isHidden()
    _select(qtbot, page.table, 0)
    answer_modals(type_and_ok("情绪稳定，转入常规关注"), yes)
    click(_button(page, "resolve_button"))
    assert page.table.rowCount() == 1
    [resolved] = [h for h in warnings.history(populated_vault, kids[1].id) if h.id == w.id]
    assert resolved.status == "resolved"


def test_resolving_needs_a_typed_reason_and_a_confirmation(qtbot, populated_vault):
    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    w = warnings.queue(populated_vault)[0]
    warnings.review(populated_vault, w.id, confirmed=True, note="面谈确认")
    page = WarningsPage(populated_vault)
    qtbot.addWidget(page)
    page.show()
    _select(qtbot, page.table, 0)

    def empty_then_cancel(dialog):
        assert not dialog.findChild(object, "reason_ok").isEnabled()  # nothing typed yet
        cancel(dialog)

    answer_modals(empty_then_cancel)
    click(_button(page, "resolve_button"))
    answer_modals(type_and_ok("已稳定"), no, cancel)  # second thoughts at the question
    click(_button(page, "resolve_button"))
    assert [r.status for r in warnings.queue(populated_vault)] == ["confirmed"]


def test_a_counselor_raises_a_warning_by_hand_from_the_archive(qtbot, populated_vault):
    kid = students.search_students(populated_vault, limit=1)[0]
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.show()
    shell.enter(populated_vault)
    shell.workspace.open_student(kid.id)
    archive = shell.workspace.archive

    def manual(dialog):
        from PySide6.QtWidgets import QComboBox, QLineEdit

        combo = dialog.findChild(QComboBox, "manual_level_combo")
        combo.setCurrentIndex(combo.findData("red"))
        ok = dialog.findChild(object, "manual_ok")
        ok.click()  # no reason yet: refused in the dialog
        assert "请填写预警原因" in " ".join(lab.text() for lab in dialog.findChildren(QLabel))
        type_text(dialog.findChild(QLineEdit, "manual_reason_edit"), "课堂上说活着没意思")
        ok.click()

    answer_modals(manual)
    click(archive.findChild(object, "archive_manual_warning"))
    [w] = warnings.queue(populated_vault)
    assert (w.student_id, w.level, w.rule_id) == (kid.id, "red", "manual")
    assert w.evidence[0]["reason"] == "课堂上说活着没意思"
    bar = shell.workspace.alert_bar
    assert bar.isVisible() and "咨询师判断：课堂上说活着没意思" in bar.list.item(0).text()
    answer_modals(type_and_ok("已约今天第三节课面谈"))
    click(bar.ack_button)
    assert bar.isHidden() and shell.workspace.nav.item(3).text() == "预警"
    shell.lock()


def test_slips_are_refused_until_the_warning_is_confirmed_and_never_for_a_student(
    qtbot, populated_vault
):
    from app.reports.documents import ROLE_TITLES

    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "GAD-7", [3] * 7, mode="paper")
    page = WarningsPage(populated_vault)
    qtbot.addWidget(page)
    page.show()
    _select(qtbot, page.table, 0)
    seen = answer_modals(press("OK", "确定"))
    click(_button(page, "slips_button"))
    assert seen == ["打印告知单"]
    assert "班级心理委员" not in ROLE_TITLES.values()


def test_unlock_shows_overdue_tasks_first_and_the_archive_shows_levels(qtbot, populated_vault):
    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    w = warnings.queue(populated_vault)[0]
    warnings.review(populated_vault, w.id, confirmed=True, note="确认")
    warnings.add_task(populated_vault, w.id, "复谈", dt.date.today() - dt.timedelta(days=2))
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.enter(populated_vault)
    assert shell.workspace.stack.currentWidget() is shell.workspace.warnings
    shell.workspace.open_student(kid.id)
    tabs = shell.workspace.archive.tabs
    tabs.setCurrentIndex([tabs.tabText(i) for i in range(tabs.count())].index("预警"))
    table = shell.workspace.archive.findChild(object, "warning_history")
    assert [table.item(0, c).text() for c in range(3)][1:] == ["一级（红）", "已确认"]
    shell.lock()


def test_notify_the_network_and_start_a_crisis_from_a_warning(qtbot, populated_vault):
    from app.services import network, records
    from app.ui.settings_page import SettingsPage

    kid = students.search_students(populated_vault, limit=1)[0]
    settings = SettingsPage(populated_vault)
    qtbot.addWidget(settings)
    settings.net_role.setCurrentIndex(settings.net_role.findData("principal"))
    settings.net_name.setText("李校长")
    assert settings.set_network_contact() and settings.net_status.text() == "已保存。"
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [2], mode="paper")
    page = WarningsPage(populated_vault)
    qtbot.addWidget(page)
    page.table.selectRow(0)
    dialog = page.open_network()
    assert dialog.table.item(0, 1).text() == "李校长"
    dialog.table.selectRow(0)
    assert dialog.notify_selected()
    assert dialog.history.count() == 1 and "校长 李校长 · 电话" in dialog.history.item(0).text()
    dialog.close()
    form = page.start_crisis()
    assert form.kind.key == "crisis" and form.hidden["warning_id"] == page.rows[0].id
    steps = form.editors["steps"]
    steps.findChild(object, "step_ensure_safety").setChecked(True)
    assert steps.findChild(object, "stamp_ensure_safety").text()
    click_ok(form)
    [entry] = [e for e in records.timeline(populated_vault, kid.id) if e.kind == "crisis"]
    stored = records.get_record(populated_vault, entry.id)
    assert list(stored.body["steps"]) == ["ensure_safety"] and stored.body["trigger"] == "warning"
    assert [c.role for c in network.network_for(populated_vault, kid.id)][0] == "principal"


def test_the_home_page_puts_overdue_tasks_and_urgent_warnings_first(qtbot, populated_vault):
    kids = students.search_students(populated_vault, limit=2)
    assessments.record_result(populated_vault, kids[0].id, "PHQ-9", [0] * 8 + [1], mode="paper")
    assessments.record_result(populated_vault, kids[1].id, "GAD-7", [2] * 7, mode="paper")
    warnings.evaluate_all(populated_vault)
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.enter(populated_vault)
    home = shell.workspace.home
    assert shell.workspace.stack.currentWidget() is home
    assert (
        home.levels["red"].text() == "一级（红）\n1"
        and home.levels["yellow"].text() == "三级（黄）\n1"
    )
    assert home.urgent.count() == 1 and kids[0].name in home.urgent.text(0)
    assert home.by_class.rowCount() >= 2 and not home.by_class_box.isHidden()
    assert (
        home.by_class.item(0, 0).text().endswith("（全年级）")
        and home.by_class.item(0, 1).text() == "1"
    )
    assert kids[0].name not in str(
        [home.by_class.item(r, 0).text() for r in range(home.by_class.rowCount())]
    )
    shell.lock()


def test_a_home_count_opens_the_queue_at_that_level_and_a_row_opens_the_student(
    qtbot, populated_vault
):
    from tests.ui.modals import double_click

    kids = students.search_students(populated_vault, limit=2)
    assessments.record_result(populated_vault, kids[0].id, "PHQ-9", [0] * 8 + [1], mode="paper")
    assessments.record_result(populated_vault, kids[1].id, "GAD-7", [2] * 7, mode="paper")
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.show()
    shell.enter(populated_vault)
    ws = shell.workspace
    QTest.mouseClick(ws.home.levels["yellow"], Qt.MouseButton.LeftButton)
    assert ws.stack.currentWidget() is ws.warnings
    assert ws.warnings.level_filter.currentText() == "三级（黄）"
    assert [ws.warnings.table.text(r, 1) for r in range(ws.warnings.table.rowCount())] == [
        kids[1].name
    ]
    ws.show_section("home")
    urgent = ws.home.urgent
    double_click(urgent.viewport(), urgent.visualRect(urgent.model().index(0, 0)).center())
    assert ws.archive is not None and ws.archive.archive.row.id == kids[0].id
    shell.lock()


def test_a_class_row_on_the_home_page_opens_that_class_in_the_queue(qtbot, populated_vault):
    from tests.ui.modals import double_click

    everyone = students.search_students(populated_vault, limit=200)
    first = everyone[0]
    other = next(k for k in everyone if (k.grade, k.class_name) != (first.grade, first.class_name))
    assessments.record_result(populated_vault, first.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    assessments.record_result(populated_vault, other.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.show()
    shell.enter(populated_vault)
    ws = shell.workspace
    table = ws.home.by_class
    label = f"{first.grade}{first.class_name}"
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == label)
    double_click(table.viewport(), table.visualItemRect(table.item(row, 1)).center())
    assert ws.stack.currentWidget() is ws.warnings
    assert ws.warnings.place_filter.currentText() == label
    assert ws.warnings.level_filter.currentText() == "一级（红）"
    shown = [ws.warnings.table.text(r, 1) for r in range(ws.warnings.table.rowCount())]
    assert shown == [first.name]
    ws.show_section("home")
    QTest.mouseClick(ws.home.levels["red"], Qt.MouseButton.LeftButton)
    assert ws.warnings.place_filter.currentText() == "全部年级和班级"
    assert ws.warnings.table.rowCount() == 2
    shell.lock()
