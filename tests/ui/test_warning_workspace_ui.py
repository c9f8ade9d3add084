"""The warning workspace through the real widgets: the pane beside the queue, choosing several,
the filters by key and the printed list."""

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from app.services import assessments, crisis, students, warnings
from app.ui.warnings_page import WarningsPage
from tests.ui.modals import answer_modals, click, type_and_ok, yes


def _row(table, row, modifier=Qt.KeyboardModifier.NoModifier):
    rect = table.visualRect(table.model().index(row, 0))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def _page(qtbot, vault):
    page = WarningsPage(vault)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    return page


def _yellow(vault, n):
    kids = students.search_students(vault, limit=n)
    for k in kids:
        assessments.record_result(vault, k.id, "GAD-7", [2] * 7, mode="paper")
    return kids


def test_choosing_a_warning_shows_its_evidence_tasks_and_history_beside_the_queue(
    qtbot, populated_vault
):
    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [2], mode="paper")
    page = _page(qtbot, populated_vault)
    pane = page.pane
    assert "选择一条预警" in pane.title.text()
    _row(page.table, 0)
    assert kid.name in pane.title.text() and "一级（红）" in pane.title.text()
    text = pane.text.toPlainText()
    assert "PHQ-9 第9题「" in text and "（2）" in text and "等级变化" in text
    tasks_before = pane.tasks.count()

    def task(dialog):
        from tests.ui.modals import type_text

        type_text(dialog.findChild(object, "task_title_edit"), "联系班主任")
        dialog.findChild(object, "task_due_edit").setDate(dt.date.today() - dt.timedelta(1))
        from tests.ui.modals import press

        press("OK", "确定")(dialog)

    answer_modals(task)
    click(pane.findChild(object, "task_button"))
    lines = [pane.tasks.item(i).text() for i in range(pane.tasks.count())]
    assert pane.tasks.count() == tasks_before + 1
    assert any("联系班主任（逾期）" in line for line in lines)
    pane.tasks.setCurrentRow(lines.index(next(x for x in lines if "联系班主任" in x)))
    click(pane.findChild(object, "detail_task_done_button"))
    assert any(line.startswith("✓") and "联系班主任" in line for line in _texts(pane.tasks))


def _texts(widget):
    return [widget.item(i).text() for i in range(widget.count())]


def test_two_yellow_screens_are_dismissed_together(qtbot, populated_vault):
    _yellow(populated_vault, 3)
    page = _page(qtbot, populated_vault)
    _row(page.table, 0)
    _row(page.table, 1, Qt.KeyboardModifier.ControlModifier)
    assert page.pane.title.text() == "已选 2 条预警"
    assert not page.pane.findChild(object, "resolve_button").isEnabled()
    chosen = [page.rows[0].id, page.rows[1].id]
    seen = answer_modals(type_and_ok("全年级筛查后面谈，情绪平稳"), yes)
    click(page.pane.findChild(object, "dismiss_button"))
    assert seen == ["排除预警", "排除预警"]
    assert page.table.rowCount() == 1
    left = warnings.queue(populated_vault)
    assert len(left) == 1 and left[0].id not in chosen


def test_a_red_warning_among_the_chosen_is_not_dismissed_in_a_batch(qtbot, populated_vault):
    kids = _yellow(populated_vault, 1)
    other = students.search_students(populated_vault, limit=2)[1]
    assessments.record_result(populated_vault, other.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    page = _page(qtbot, populated_vault)
    _row(page.table, 0)
    _row(page.table, 1, Qt.KeyboardModifier.ShiftModifier)
    said = []

    def read_and_ok(box):
        said.append(box.text())
        box.button(QMessageBox.StandardButton.Ok).click()

    answer_modals(type_and_ok("误报"), yes, read_and_ok)
    click(page.pane.findChild(object, "dismiss_button"))
    assert said and "1 条为一级或二级" in said[0]
    assert {w.status for w in warnings.queue(populated_vault)} == {"raised"}
    assert kids[0].name in [page.table.text(r, 1) for r in range(page.table.rowCount())]


def test_the_filters_are_chosen_by_key_and_say_how_many_are_shown(qtbot, populated_vault):
    _yellow(populated_vault, 3)
    first = warnings.queue(populated_vault)[0]
    warnings.review(populated_vault, first.id, confirmed=True, note="已面谈")
    page = _page(qtbot, populated_vault)
    assert page.shown.text() == "显示 3 / 共 3 条"
    status = page.status_filter
    status.setFocus()
    QTest.keyClick(status, Qt.Key.Key_Down)
    QTest.keyClick(status, Qt.Key.Key_Down)
    assert status.currentText() == "已确认" and page.shown.text() == "显示 1 / 共 3 条"
    assert page.table.text(0, 1) == first.student_name
    QTest.keyClick(status, Qt.Key.Key_Up)
    QTest.keyClick(status, Qt.Key.Key_Up)
    page.date_filter.setFocus()
    QTest.keyClick(page.date_filter, Qt.Key.Key_Down)
    assert page.date_filter.currentText() == "今天预警" and page.table.rowCount() == 3
    click(page.overdue_check)
    assert page.table.rowCount() == 0 and page.shown.text() == "显示 0 / 共 3 条"


def test_the_list_prints_as_filtered(qtbot, populated_vault):
    from app.ui.print_preview import PrintPreview

    _yellow(populated_vault, 2)
    page = _page(qtbot, populated_vault)
    click(page.findChild(object, "print_list_button"))
    preview = page.findChild(PrintPreview)
    assert preview is not None and preview.images and preview.serial.startswith("XD")
    preview.close()


def test_a_crisis_beside_the_warning_opens_with_enter(qtbot, populated_vault):
    from app.ui.record_form import RecordForm

    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    [w] = warnings.queue(populated_vault)
    crisis.start_crisis(populated_vault, kid.id, trigger="warning", warning_id=w.id)
    page = _page(qtbot, populated_vault)
    _row(page.table, 0)
    linked = page.pane.linked
    assert linked.count() == 1 and "危机干预" in linked.item(0).text()
    linked.setFocus()
    linked.setCurrentRow(0)
    QTest.keyClick(linked, Qt.Key.Key_Return)
    form = page.findChild(RecordForm)
    assert form is not None and form.kind.key == "crisis"
    form.close()


def test_a_case_conference_from_a_red_warning_is_typed_saved_and_printed(qtbot, populated_vault):
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

    from app.services import records
    from app.ui.print_preview import PrintPreview
    from app.ui.record_form import RecordForm
    from tests.ui.modals import click_ok, type_text

    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [2], mode="paper")
    page = _page(qtbot, populated_vault)
    _row(page.table, 0)
    click(page.pane.findChild(object, "conference_button"))
    form = page.findChild(RecordForm)
    assert form.editors["basis"].currentText() == "一级（红）预警"

    def typed(name, words, kind=QLineEdit, within=None):
        box = (within or form).findChild(kind, name)
        box.setFocus()
        type_text(box, words)

    typed("field_school_participants", "王老师、李老师")
    typed("field_findings", "近两周情绪低落，有消极念头", QPlainTextEdit)
    typed("field_plan", "每周个体辅导，家长陪同就医", QPlainTextEdit)
    typed("task_owner_0", "班主任李老师")
    typed("task_title_0", "每天课间留意")
    typed("date_text", dt.date.today().isoformat(), within=form.findChild(object, "task_due_0"))
    typed("task_owner_1", "父亲")
    typed("task_title_1", "周六带孩子复诊")
    click_ok(form)
    [entry] = [e for e in records.timeline(populated_vault, kid.id) if e.kind == "case_conference"]
    stored = records.get_record(populated_vault, entry.id).body
    assert [(t["side"], t["owner"], t["due"]) for t in stored["tasks"]] == [
        ("school", "班主任李老师", dt.date.today().isoformat()),
        ("family", "父亲", None),
    ]
    today = records.upcoming(populated_vault, dt.datetime.combine(dt.date.today(), dt.time.max))
    assert [u.what for u in today] == ["方案任务（学校·班主任李老师）：每天课间留意"]
    linked = page.pane.linked
    row = next(i for i in range(linked.count()) if "研判" in linked.item(i).text())
    linked.setFocus()
    linked.setCurrentRow(row)
    QTest.keyClick(linked, Qt.Key.Key_Return)
    opened = [f for f in page.findChildren(RecordForm) if f.isVisible()][-1]
    click(opened.findChild(object, "print_plan_button"))
    preview = opened.findChild(PrintPreview)
    assert preview is not None and preview.images
    preview.close()
    opened.close()
