"""The warning queue and the archive's level history through the real widgets."""

import datetime as dt

from app.services import assessments, students, warnings
from app.ui.application import Shell
from app.ui.tasks import TaskRunner
from app.ui.warnings_page import WarningsPage


def test_the_queue_lists_by_level_and_walks_the_lifecycle(qtbot, populated_vault):
    kids = students.search_students(populated_vault, limit=2)
    assessments.record_result(populated_vault, kids[0].id, "GAD-7", [2] * 7, mode="paper")
    assessments.record_result(populated_vault, kids[1].id, "PHQ-9", [0] * 8 + [1], mode="paper")
    page = WarningsPage(populated_vault)
    qtbot.addWidget(page)
    assert [page.table.item(r, 0).text() for r in range(page.table.rowCount())] == ["一级（红）"]
    report = page.evaluate()
    assert report.raised == 1
    assert [page.table.item(r, 0).text() for r in range(2)] == ["一级（红）", "三级（黄）"]
    page.table.selectRow(0)
    assert page.review(True, "面谈确认，已通知家长")
    assert page.add_task("每周复谈", dt.date.today() - dt.timedelta(days=1))
    assert page.overdue.count() == 1 and not page.overdue_box.isHidden()
    page._task_done()
    assert page.overdue_box.isHidden()
    page.table.selectRow(0)
    assert page.resolve("情绪稳定")
    assert page.table.rowCount() == 1


def test_unlock_shows_overdue_tasks_first_and_the_archive_shows_levels(qtbot, populated_vault):
    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    w = warnings.queue(populated_vault)[0]
    warnings.review(populated_vault, w.id, confirmed=True, note="确认")
    warnings.add_task(populated_vault, w.id, "复谈", dt.date.today() - dt.timedelta(days=2))
    shell = Shell(populated_vault.root, runner=TaskRunner(inline=True))
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
    from PySide6.QtCore import Qt

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
    form.save()
    [entry] = [e for e in records.timeline(populated_vault, kid.id) if e.kind == "crisis"]
    stored = records.get_record(populated_vault, entry.id)
    assert list(stored.body["steps"]) == ["ensure_safety"] and stored.body["trigger"] == "warning"
    assert [c.role for c in network.network_for(populated_vault, kid.id)][0] == "principal"
    del Qt


def test_the_home_page_puts_overdue_tasks_and_urgent_warnings_first(qtbot, populated_vault):
    kids = students.search_students(populated_vault, limit=2)
    assessments.record_result(populated_vault, kids[0].id, "PHQ-9", [0] * 8 + [1], mode="paper")
    assessments.record_result(populated_vault, kids[1].id, "GAD-7", [2] * 7, mode="paper")
    warnings.evaluate_all(populated_vault)
    shell = Shell(populated_vault.root, runner=TaskRunner(inline=True))
    qtbot.addWidget(shell)
    shell.enter(populated_vault)
    home = shell.workspace.home
    assert shell.workspace.stack.currentWidget() is home
    assert (
        home.levels["red"].text() == "一级（红）\n1"
        and home.levels["yellow"].text() == "三级（黄）\n1"
    )
    assert home.urgent.count() == 1 and kids[0].name in home.urgent.item(0).text()
    assert home.by_class.rowCount() >= 2 and not home.by_class_box.isHidden()
    assert (
        home.by_class.item(0, 0).text().endswith("（全年级）")
        and home.by_class.item(0, 1).text() == "1"
    )
    assert kids[0].name not in str(
        [home.by_class.item(r, 0).text() for r in range(home.by_class.rowCount())]
    )
    shell.lock()
