"""Drive the real GUI on a display (run under xvfb-run) and save the screenshots in docs/screenshots."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT))  # the tests' input helpers (tests/ui/modals.py, census.py)


def pump(ms: int = 300) -> None:
    app = QApplication.instance()
    end = QTimer()
    end.setSingleShot(True)
    end.start(ms)
    while end.isActive():
        app.processEvents()


def shoot(name: str, widget, *expected: str) -> None:
    """Save the screenshot, having checked it shows what its name says."""
    from tests.ui.census import visible_texts

    pump()
    shown = "\n".join(visible_texts(widget))
    missing = [e for e in expected if e not in shown]
    if missing:
        raise SystemExit(f"{name}: expected {missing} on screen")
    widget.grab().save(str(OUT / name))


def click(widget) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
    pump(150)


def key(widget, k, modifier=None) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    widget.window().activateWindow()  # no window manager under Xvfb gives focus back
    pump(50)
    QTest.keyClick(widget, k, modifier or Qt.KeyboardModifier.NoModifier)
    pump(150)


def type_into(widget, text: str) -> None:
    from tests.ui.modals import type_text

    widget.setFocus()
    type_text(widget, text)


def nav(ws, section: str) -> None:
    """Click the section in the navigation, as a person does."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.ui.main_window import SECTIONS

    if ws.archive is not None:
        key(ws.archive, Qt.Key.Key_Escape)
    row = [k for k, _label in SECTIONS].index(section)
    rect = ws.nav.visualItemRect(ws.nav.item(row))
    QTest.mouseClick(ws.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    pump()


def open_row(table, row: int = 0) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    rect = table.visualRect(table.model().index(row, 0))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.keyClick(table, Qt.Key.Key_Return)
    pump()


def open_archive(ws, student_no: str) -> None:
    """As a counselor finds a student: 学生 → type the 学籍号 → the row → Enter."""
    nav(ws, "students")
    ws.students.search.selectAll()
    type_into(ws.students.search, student_no)
    for _ in range(30):
        pump(100)
        if ws.students.model.rowCount() == 1:
            break
    open_row(ws.students.table)
    if ws.archive is None:
        raise SystemExit(f"the archive of {student_no} did not open")


def visible_dialog(parent, name: str):
    from PySide6.QtWidgets import QDialog

    return next(d for d in parent.findChildren(QDialog, name) if d.isVisible())


def tab(tabs, index: int) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    rect = tabs.tabBar().tabRect(index)
    QTest.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton, pos=rect.center())
    pump()


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="xindang-shots-"))
    os.environ["XINDANG_HOME"] = str(tmp / "home")
    from app.i18n import set_language

    set_language("zh_CN")
    from PySide6.QtWidgets import QDialog, QPushButton, QTableWidget

    from app.services import demo, synthetic
    from app.ui.application import Shell
    from app.ui.setup_wizard import SetupWizard

    app = QApplication(sys.argv)
    from app.ui.application import install_qt_translations

    install_qt_translations(app, "zh_CN")
    OUT.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWizard

    wizard = SetupWizard(tmp / "new-vault")
    wizard.show()
    type_into(wizard.currentPage().findChild(object, "school_edit"), "江门市示范中学")
    click(wizard.button(QWizard.WizardButton.NextButton))
    page = wizard.currentPage()
    type_into(page.findChild(object, "display_name_edit"), "王老师")
    type_into(page.passphrase.first, "春风十里不如你2026")
    type_into(page.passphrase.second, "春风十里不如你2026")
    shoot("01-setup-wizard-admin.png", wizard, "王老师")
    click(wizard.button(QWizard.WizardButton.NextButton))
    shoot("02-setup-wizard-recovery-code.png", wizard, "恢复码")
    wizard.currentPage().confirm.setFocus()
    key(wizard.currentPage().confirm, Qt.Key.Key_Space)
    click(wizard.button(QWizard.WizardButton.FinishButton))
    if wizard.isVisible():
        raise SystemExit("the setup wizard did not finish")
    first = Shell(wizard.created.root)
    first.show_on_screen()
    first.enter(wizard.created)
    pump(800)
    shoot("02a-first-run-checklist.png", first, "开始使用", "○ 导入学生名册")
    first.lock()
    first.close()
    pump()

    vault = tmp / "demo"
    ready = os.environ.get("XINDANG_SHOTS_DEMO")  # a demo vault made earlier, to iterate faster
    if ready:
        shutil.copytree(ready, vault)
    else:
        demo.create_demo_vault(vault)
    shell = Shell(vault)
    shell.show_on_screen()
    pump()
    type_into(shell.unlock_view.passphrase, demo.DEMO_PASSPHRASE)
    shoot("03-unlock.png", shell, "解锁")
    key(shell.unlock_view.passphrase, Qt.Key.Key_Return)
    for _ in range(50):
        pump(100)
        if shell.workspace is not None:
            break
    ws = shell.workspace
    shoot("18a-overdue-tasks-first-on-unlock.png", shell, "逾期的跟进任务", "标记完成")
    nav(ws, "students")
    shoot("04-student-list.png", shell, "学籍号", "共 2400 名学生")
    type_into(ws.students.search, "zh")
    pump(500)
    shoot("05-search-pinyin-initials.png", shell, "zh")
    open_row(ws.students.table)
    shoot("06-archive-page.png", shell, "返回列表（Esc）", "家庭情况")
    click(ws.archive.findChild(QPushButton, "status_button"))
    status = visible_dialog(ws.archive, "status_dialog")
    type_into(status.findChild(object, "status_note_edit"), "随父母迁往广州，转入广州市某中学")
    shoot("06a-status-change.png", status, "学籍变动", "转出")
    status.reject()
    click(ws.archive.findChild(QPushButton, "guardians_button"))
    guardians = visible_dialog(ws.archive, "guardians_dialog")
    shoot("06d-guardians.png", guardians, "监护人", "添加一行")
    guardians.done(0)
    key(ws.archive, Qt.Key.Key_Escape)
    click(ws.students.findChild(QPushButton, "add_student_button"))
    add = visible_dialog(ws.students, "student_form")
    type_into(add.findChild(object, "student_name_edit"), "陈思远")
    shoot("06b-add-student.png", add, "新增学生", "学籍号")
    add.findChild(object, "student_name_edit").clear()  # nothing typed: Esc closes at once
    add.reject()

    roster = tmp / "roster.csv"
    students = synthetic.generate_students(40, seed=7)
    synthetic.write_roster_csv(
        roster,
        students,
        encoding="gbk",
        title="2026学年第一学期学生名册",
        extra_rows=[
            [
                "G4499002012",
                "李四",
                "男",
                "2012-13-01",
                "七年级",
                "2班",
                "否",
                "否",
                "李父",
                "父亲",
                "1700000",
            ]
        ],
    )
    click(ws.students.import_button)
    wiz = next(w for w in ws.findChildren(QWizard) if w.isVisible())
    type_into(wiz.currentPage().path, str(roster))
    click(wiz.button(QWizard.WizardButton.NextButton))
    shoot("07-import-preview-errors.png", wiz, "有问题的行")
    wiz.reject()

    # Issue 3: kiosk, paper grid, assessment history.
    from app.services import assessments
    from app.services import students as students_service

    first = students_service.search_students(shell.vault, limit=3)
    for answers in ([1, 1, 2, 1, 0, 1, 0, 0, 0], [2, 2, 2, 1, 1, 2, 1, 1, 1]):
        assessments.record_result(shell.vault, first[0].id, "PHQ-9", answers, mode="paper")
    assessments.record_result(
        shell.vault, first[0].id, "GAD-7", [1, 1, 2, 1, 0, 1, 1], mode="import"
    )
    ws = kiosk_screens(shell, first[1])

    nav(ws, "assessments")
    click(ws.assessments.findChild(QPushButton, "paper_button"))
    paper = visible_dialog(ws.assessments, "paper_entry_dialog")
    paper.scale.setCurrentIndex(paper.scale.findData("PHQ-9"))
    pump()
    grid = paper.grid
    from PySide6.QtTest import QTest

    for keys in ("012100100", "111111110", "220110011", "0000000"):
        for k in keys:
            QTest.keyClick(grid, k)
    QTest.keyClick(grid, "6")  # not an answer on PHQ-9: refused, said, the cursor stays
    shoot("09-paper-entry-grid.png", paper, "纸质答卷录入", "不是本答卷的选项")
    paper.done(0)
    open_archive(ws, first[0].student_no)
    tab(ws.archive.tabs, 1)
    shoot("10-assessment-history.png", shell, "PHQ-9")
    nav(ws, "assessments")
    shoot("11-assessments-page.png", shell, "测评计划")
    click(ws.assessments.findChild(QPushButton, "follow_up_button"))
    follow = visible_dialog(ws.assessments, "follow_up_dialog")
    shoot("11a-screening-follow-up.png", follow, "阳性未面谈", "未测", "需重测")
    follow.done(0)
    issue19_screens(shell, ws, first)

    # Issue 4: session form, group attendance, timeline.
    import datetime as dt

    from app.records.semesters import semester_bounds
    from app.services import records

    sid = first[0].id
    case = records.create_record(
        shell.vault,
        "case",
        student_id=sid,
        occurred_at=dt.datetime(2026, 9, 8, 15),
        title="学业压力与睡眠",
        body={"problems": ["academic", "emotions"], "consent": "student"},
    )
    for i, text in enumerate(("期中考试前紧张，入睡困难", "尝试放松训练，睡眠略有改善")):
        records.create_record(
            shell.vault,
            "session",
            student_id=sid,
            parent_id=case.id,
            occurred_at=dt.datetime(2026, 9, 15 + 7 * i, 15),
            body={
                "template": "school",
                "risk_suicide": "low" if i == 0 else "none",
                "risk_self_harm": "none",
                "risk_others": "none",
                "duration_min": 45,
                "sections": {"complaint": text, "plan": "继续放松训练，下周复谈"},
            },
        )
    records.create_record(
        shell.vault,
        "contact",
        student_id=sid,
        occurred_at=dt.datetime(2026, 9, 20, 18),
        body={
            "guardian": "母亲",
            "mode": "phone",
            "content": "沟通作息与手机使用，约定晚上十点后不用手机",
        },
    )
    records.create_record(
        shell.vault,
        "observation",
        student_id=sid,
        occurred_at=dt.datetime(2026, 10, 9, 12),
        body={"source_role": "committee", "content": "最近午饭常一个人，课间很少说话"},
    )
    program = records.create_record(
        shell.vault,
        "group_program",
        occurred_at=dt.datetime(2026, 10, 1),
        title="情绪管理小组",
        body={"theme": "情绪管理", "planned_sessions": 6},
    )
    from PySide6.QtWidgets import QPushButton

    nav(ws, "records")
    ws.records.programs.setCurrentRow(0)
    click(ws.records.findChild(QPushButton, "new_group_session_button"))
    form = next(d for d in ws.records.findChildren(QDialog, "record_form") if d.isVisible())
    type_into(form.editors["topic"], "认识情绪")
    click(form.findChild(QPushButton, "add_class_button"))
    form.participant_table.item(2, 1).setCheckState(Qt.CheckState.Unchecked)
    form.participant_table.item(0, 2).setText("主动分享，情绪表达清楚")
    shoot("13-group-session-attendance.png", form, "认识情绪")
    click(next(b for b in form.findChildren(QPushButton) if b.text() == "保存"))
    del program
    open_archive(ws, first[0].student_no)
    tab(ws.archive.tabs, 2)
    key(ws.archive, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    session_form = next(d for d in ws.archive.findChildren(QDialog, "record_form") if d.isVisible())
    click(session_form.findChild(QPushButton, "from_previous_button"))
    shoot("12-session-form.png", session_form, "个体辅导", "自杀意念")
    session_form.done(0)
    shoot("14-timeline.png", shell, "学业压力与睡眠")
    week_ago = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(days=7)
    classes = [c.id for g in students_service.grades_and_classes(shell.vault) for c in g.classes]
    records.create_for_classes(
        shell.vault,
        "lesson",
        classes[:4],
        occurred_at=week_ago,
        body={"lesson_type": "lesson", "topic": "考试焦虑的应对"},
    )
    for kind, body in (
        ("lecture", {"audience": "parents", "topic": "家长学校：青春期亲子沟通", "attendees": 86}),
        ("lecture", {"audience": "teachers", "topic": "班主任培训：识别学生心理危机"}),
        ("training", {"topic": "市心理健康教育骨干教师培训", "duration_min": 360}),
    ):
        records.create_record(shell.vault, kind, occurred_at=week_ago, body=body)
    nav(ws, "records")
    pump(600)
    shoot("15-records-page.png", shell, "团体辅导", "讲座与培训", "家长讲座")
    committee_screens(shell, ws)

    # Issue 5: warning queue, crisis record, home page.
    import random

    from app.services import crisis, network, printing, warnings
    from app.services.assessments import store_result

    rng = random.Random(11)
    pool = students_service.search_students(shell.vault, limit=400)
    with shell.vault.session() as s:
        for st in pool:
            phq = [rng.choice((0, 0, 0, 1, 1, 2, 3)) for _ in range(8)] + [
                1 if rng.random() < 0.01 else 0
            ]
            store_result(s, st.id, "PHQ-9", phq, mode="import", user_id=shell.vault.user.id)
    records.create_record(
        shell.vault,
        "life_event",
        student_id=pool[5].id,
        occurred_at=dt.datetime(2026, 11, 2),
        body={"event_type": "bereavement", "description": "祖母去世"},
    )
    network.set_contact(shell.vault, "principal", "李校长", "17000000001")
    network.set_contact(shell.vault, "counselor", "演示管理员", "17000000002")
    warnings.evaluate_all(shell.vault)
    nav(ws, "warnings")
    ws.warnings.table.selectRow(0)
    shoot("16-warning-queue.png", shell, "一级（红）", "面谈后确认…")
    top = ws.warnings.rows[0]
    warnings.review(shell.vault, top.id, confirmed=True, note="面谈后确认")
    warnings.add_task(shell.vault, top.id, "每周复谈", dt.date.today() - dt.timedelta(days=1))
    network.notify(shell.vault, top.id, "principal", "李校长", "phone")
    record = crisis.start_crisis(shell.vault, top.student_id, trigger="warning", warning_id=top.id)
    now = dt.datetime.now().replace(second=0, microsecond=0)
    for i, step in enumerate(("ensure_safety", "inform_principal", "inform_guardians")):
        crisis.complete_step(shell.vault, record.id, step, now - dt.timedelta(minutes=40 - 15 * i))
    crisis.link_related(shell.vault, record.id, [(pool[1].id, "同桌"), (pool[2].id, "好友")])
    nav(ws, "warnings")
    ws.warnings.refresh()
    pump()
    open_row_once(ws.warnings.table, 0)
    shoot("16a-warning-detail.png", shell, "处理经过", "每周复谈", "危机干预", "李校长")
    yellow = [i for i, r in enumerate(ws.warnings.rows) if r.level == "yellow"][:4]
    if len(yellow) >= 2:
        open_row_once(ws.warnings.table, yellow[0])
        for r in yellow[1:]:
            open_row_once(ws.warnings.table, r, Qt.KeyboardModifier.ControlModifier)
        shoot("16b-warnings-chosen.png", shell, f"已选 {len(yellow)} 条预警")
    pdf_list = printing.warning_list(
        shell.vault, [r.id for r in ws.warnings.rows], "全部等级，未结案（全部）"
    )[0]
    pdf_page(pdf_list, "16c-warning-list")
    conference_screens(shell, ws, top)
    open_archive(ws, top.student_no)
    pump(600)
    shoot("06c-archive-at-a-glance.png", shell, "一级（红）", "下次：")
    tab(ws.archive.tabs, 2)
    timeline = ws.archive.findChild(QTableWidget, "timeline_table")
    row = next(r for r in range(timeline.rowCount()) if timeline.item(r, 1).text() == "危机干预")
    open_row(timeline, row)
    crisis_form = visible_dialog(ws.archive, "record_form")
    shoot("17-crisis-record.png", crisis_form, "危机干预")
    crisis_form.done(0)
    nav(ws, "home")
    shoot("18-home-page.png", shell, "一级、二级预警", "今日预约与跟进")
    nav(ws, "calendar")
    pump(600)
    shoot("18b-week-calendar.png", shell, "周一", "本周")

    # Issue 6: the first pages of a case file, rendered with pdftoppm.
    import subprocess

    from app.services import printing

    pdf, _serial = printing.case_file(shell.vault, sid)
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "3", "-", str(OUT / "19-case-file")],
        input=pdf,
        check=True,
    )

    answers = [rng.choice((1, 1, 2, 2, 3)) for _ in range(90)]
    scl = assessments.record_result(shell.vault, sid, "SCL-90", answers, mode="paper")[0]
    pdf_page(printing.assessment_report(shell.vault, scl.id)[0], "20-assessment-report")
    pdf_page(printing.class_summary(shell.vault, "PHQ-9")[0], "21-class-summary")
    nav(ws, "reports")
    pump(600)
    shoot("22-reports-page.png", shell, "打印筛查汇总…", "各班心理课与心理班会课落实情况")
    stats = ws.reports.show_statistics()
    pump(400)
    shoot("22c-screening-statistics.png", stats, "阳性率（95% CI）", "全校")
    stats.done(0)
    pdf_page(printing.compliance_report(shell.vault)[0], "22a-lesson-compliance")
    pdf_page(
        printing.workload_report(shell.vault, *semester_bounds(dt.date.today()))[0],
        "22b-workload-report",
    )
    sync_screens(shell, tmp)
    key_screens(shell, tmp)  # ends on the unlock screen
    pump()
    shell.close()
    shutil.rmtree(tmp, ignore_errors=True)
    print("screenshots written to", OUT)
    return 0


def issue19_screens(shell, ws, first) -> None:
    """Double entry reconciled by the paper, a plan's students, the papers students hold."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from app.services import double_entry, printing, student_papers

    sheets = [(first[1].id, [1, 2, 0, 1, 1, 0, 0]), (first[2].id, [0, 1, 1, 0, 0, 1, 0])]
    double_entry.save_passes(shell.vault, "GAD-7", sheets)
    double_entry.save_passes(
        shell.vault,
        "GAD-7",
        [(first[1].id, [1, 2, 0, 3, 1, 0, 1]), (first[2].id, [0, 1, 1, 0, 2, 1, 0])],
        same_user_reason="演示：本校只有一名心理教师",
    )
    ws.assessments.refresh()
    pump()
    shoot("11b-double-entry-waiting.png", shell, "待核对")
    click(ws.assessments.findChild(QPushButton, "reconcile_button"))
    rec = visible_dialog(ws.assessments, "reconcile_dialog")
    key(rec.table, Qt.Key.Key_Left)
    shoot("09a-reconcile.png", rec, "答题纸位置", "第 1 行第 4 格")
    rec.table.chosen.clear()
    rec.done(0)
    if ws.assessments.plans.rowCount():
        dialog = ws.assessments.show_plan(0)
        pump()
        shoot("11c-plan-students.png", dialog, "已完成", "尚未完成")
        dialog.done(0)
    click(ws.assessments.findChild(QPushButton, "answer_sheet_button"))
    papers = visible_dialog(ws.assessments, "student_papers_dialog")
    papers.scale.setCurrentIndex(papers.scale.findData("PHQ-9"))
    pump()
    shoot("11d-student-papers.png", papers, "学生看到的标题", "致家长的一封信")
    papers.done(0)
    klass = students_of(shell)
    for kind, name in (("questionnaires", "20a-questionnaire"), ("parent_letters", "20b-letter")):
        pdf_page(student_papers.print_papers(shell.vault, kind, "PHQ-9", klass)[0], name)
    pdf_page(printing.answer_sheets(shell.vault, "PHQ-9", klass)[0], "20c-answer-sheet")
    scan_screens(shell, ws, klass)


def scan_screens(shell, ws, klass: str) -> None:
    """A scanned sheet with two marks and a blank, read and held for a person (issue 20)."""
    import random

    import cv2

    from app.scan import synthetic
    from app.services import scan_print

    pdf, _serial, layout = scan_print.print_scan_sheets(shell.vault, "PHQ-9", class_id=klass)
    pdf_page(pdf, "20d-scan-sheet")
    page = synthetic.render_pages(pdf, 200)[0]
    styles = {i: "full" for i in range(1, 10)}
    styles[3], styles[6] = "two", "pencil"
    synthetic.mark_page(page, 200, layout, 1, random.Random(3), styles)
    page = synthetic.degrade(page, "photo", random.Random(4))
    folder = Path(tempfile.mkdtemp(prefix="xindang-shots-scan-"))
    cv2.imwrite(str(folder / "phone-photo.jpg"), page)
    ws.assessments.scan_sheets([str(folder / "phone-photo.jpg")])
    pump(600)
    review = visible_dialog(ws.assessments, "scan_review_dialog")
    shoot("11e-scan-review.png", review, "扫描答卷确认", "涂了两个或以上")
    review.done(0)
    for box in ws.assessments.findChildren(QMessageBox):  # the report, a critical alert
        if box.isVisible():
            box.done(0)
    pump()
    shutil.rmtree(folder, ignore_errors=True)


def students_of(shell) -> str:
    from app.services import students

    return students.grades_and_classes(shell.vault)[0].classes[0].id


def pdf_page(data: bytes, name: str) -> None:
    import subprocess

    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", "-singlefile", "-", str(OUT / name)],
        input=data,
        check=True,
    )


def open_row_once(table, row: int, modifier=None) -> None:
    """A single click on a row (Ctrl held to add it to the chosen)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    rect = table.visualRect(table.model().index(row, 0))
    QTest.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        modifier or Qt.KeyboardModifier.NoModifier,
        rect.center(),
    )
    pump()


def conference_screens(shell, ws, top) -> None:
    """研判 typed from the warning's pane, its one-page plan, then 送医 and 复学 with the loop."""
    import datetime as dt

    from app.services import printing, records

    nav(ws, "warnings")
    row = next(i for i, r in enumerate(ws.warnings.rows) if r.id == top.id)
    open_row_once(ws.warnings.table, row)
    click(ws.warnings.pane.findChild(object, "conference_button"))
    form = visible_dialog(ws.warnings, "record_form")
    for name, words in (
        ("field_school_participants", "王老师、班主任李老师、德育处张主任"),
        ("field_outside_participants", "市第三人民医院儿少科陈医生"),
        ("field_findings", "近两周情绪低落，入睡困难，有消极念头，无具体计划"),
        ("field_plan", "每周一次个体辅导；班主任每日观察；建议家长陪同就医评估"),
        ("field_parent_name", "母亲刘女士"),
        ("task_owner_0", "班主任李老师"),
        ("task_title_0", "每日课间留意情绪，异常即告知心理教师"),
        ("task_owner_1", "母亲"),
        ("task_title_1", "本周内陪同到医院儿少科就诊"),
    ):
        type_into(form.findChild(object, name), words)
    shoot("16d-case-conference-form.png", form, "研判原因", "家校分工任务")
    form.done(0)
    plan = records.create_record(
        shell.vault,
        "case_conference",
        student_id=top.student_id,
        occurred_at=dt.datetime.now().replace(second=0, microsecond=0),
        body={
            "basis": "red_warning",
            "school_participants": "王老师、班主任李老师、德育处张主任",
            "outside_participants": "市第三人民医院儿少科陈医生",
            "findings": "近两周情绪低落，入睡困难，有消极念头，无具体计划",
            "plan": "每周一次个体辅导；班主任每日观察；建议家长陪同就医评估",
            "parent_name": "母亲刘女士",
            "parent_informed_at": dt.datetime.now().replace(second=0, microsecond=0),
            "parent_mode": "meeting",
            "parent_response": "同意方案，愿意配合",
            "tasks": [
                {
                    "side": "school",
                    "owner": "班主任李老师",
                    "title": "每日课间留意情绪",
                    "due": dt.date.today(),
                },
                {
                    "side": "family",
                    "owner": "母亲",
                    "title": "本周内陪同就诊",
                    "due": dt.date.today() + dt.timedelta(days=3),
                },
            ],
            "review_on": dt.date.today() + dt.timedelta(days=30),
        },
    )
    pdf_page(printing.intervention_plan(shell.vault, plan.id)[0], "16e-intervention-plan")
    now = dt.datetime.now().replace(second=0, microsecond=0)
    records.create_record(
        shell.vault,
        "hospital_escort",
        student_id=top.student_id,
        occurred_at=now - dt.timedelta(days=20),
        body={
            "hospital": "市第三人民医院",
            "parent_called_by": "班主任李老师",
            "parent_called_at": now - dt.timedelta(days=20, minutes=30),
            "escorted_by": "王老师、校医",
            "handed_over_to": "母亲刘女士",
            "handed_over_at": now - dt.timedelta(days=20) + dt.timedelta(hours=2),
        },
    )
    records.create_record(
        shell.vault,
        "return_to_school",
        student_id=top.student_id,
        occurred_at=now - dt.timedelta(days=6),
        body={
            "documents": ["diagnosis", "certificate"],
            "meeting_participants": "王老师、班主任、母亲",
            "adjustments": "暂免晚自习两周，体育课量力而行",
            "first_follow_up": dt.date.today() - dt.timedelta(days=1),
            "follow_up_every_days": 7,
            "follow_up_count": 4,
        },
    )
    ws.warnings.refresh()
    pump()
    row = next(i for i, r in enumerate(ws.warnings.rows) if r.id == top.id)
    open_row_once(ws.warnings.table, row)
    ws.warnings.pane.text.verticalScrollBar().setValue(10_000)
    pump()
    shoot("16f-referral-loop.png", shell, "转介、送医与复学", "复学后跟进")


def committee_screens(shell, ws) -> None:
    """Two classes' 心理委员, one report entered, and the class that has not reported."""
    import datetime as dt

    from PySide6.QtWidgets import QPushButton

    from app.services import committee, students

    pupils = students.search_students(shell.vault, limit=120)
    classes: dict[str, list] = {}
    for p in pupils:
        classes.setdefault(f"{p.grade}{p.class_name}", []).append(p)
    (first, mates), (_second, others) = list(classes.items())[:2]
    start = dt.date.today() - dt.timedelta(days=60)
    member = committee.appoint(shell.vault, mates[0].id, start)
    committee.appoint(shell.vault, others[0].id, start)
    committee.report(
        shell.vault,
        member,
        mates[3].id,
        content="这周经常一个人坐着，午饭吃得很少",
        signs=["withdrawn", "low_mood"],
        urgency="soon",
    )
    click(ws.records.findChild(QPushButton, "committee_button"))
    dialog = visible_dialog(ws.records, "committee_dialog")
    shoot("15a-committee.png", dialog, "班级心理委员", "未按时报告的班级", first)
    dialog.done(0)


def press(window, key, wait_ms: int = 450) -> None:
    """A key as a student presses it: after the kiosk's debounce, never faster."""
    from PySide6.QtTest import QTest

    pump(wait_ms)
    QTest.keyClick(window, key)


def kiosk_screens(shell, student):
    """Issue 13: intro, an item, the review, the closing help; then the alert bar it leaves."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from app.services.demo import DEMO_PASSPHRASE
    from tests.ui.modals import answer_modals, start_kiosk, type_and_ok

    nav(shell.workspace, "assessments")
    answer_modals(start_kiosk(student.student_no, "PHQ-9"))
    click(shell.workspace.assessments.findChild(QPushButton, "kiosk_button"))
    window = shell.kiosk
    pump(500)
    shoot("30-kiosk-intro.png", window)
    press(window, Qt.Key.Key_Return)
    for key in "21":
        press(window, getattr(Qt.Key, f"Key_{key}"))
    pump(500)
    shoot("08-kiosk-item.png", window)
    for key in "3221213":  # item 9: 一半以上的天数
        press(window, getattr(Qt.Key, f"Key_{key}"))
    pump(500)
    shoot("31-kiosk-review.png", window)
    pump(450)
    click(window.submit_button)
    pump(300)
    shoot("32-kiosk-closing.png", window)
    answer_modals(type_and_ok(DEMO_PASSPHRASE))  # the counselor's passphrase in the exit prompt
    click(window.exit_button)
    pump(300)
    ws = shell.workspace
    pump(300)
    shoot("33-alert-bar-after-kiosk.png", shell, "确认知悉并填写跟进…")
    from tests.ui.modals import cancel, type_text

    def shot_then_cancel(name: str, box_name: str, text: str, expected: str):
        def handle(dialog) -> None:
            from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

            box = dialog.findChild(QPlainTextEdit, box_name) or dialog.findChild(
                QLineEdit, box_name
            )
            box.setFocus()
            type_text(box, text)
            shoot(name, dialog, expected)
            cancel(dialog)

        return handle

    open_archive(ws, student.student_no)
    answer_modals(
        shot_then_cancel(
            "34-manual-warning.png",
            "manual_reason_edit",
            "课堂上说“活着没意思”，班主任报告",
            "手动预警",
        )
    )
    click(ws.archive.findChild(QPushButton, "archive_manual_warning"))
    answer_modals(
        shot_then_cancel(
            "35-acknowledge-alert.png",
            "reason_edit",
            "已约今天第三节课当面评估，并电话告知家长",
            "确认知悉",
        )
    )
    click(ws.alert_bar.ack_button)
    return ws


def key_screens(shell, tmp: Path) -> None:
    """Issue 8: backups and keys in 设置, and the restore dialog of the unlock screen."""
    from app.services import backups, vaults

    vaults.set_setting(shell.vault, "backup_folder", str(tmp / "usb"))
    info = backups.backup(shell.vault, tmp / "usb")
    from PySide6.QtWidgets import QPushButton

    ws = shell.workspace
    nav(ws, "settings")
    ws.settings.backup_folder.clear()
    type_into(ws.settings.backup_folder, str(tmp / "usb"))
    click(ws.settings.findChild(QPushButton, "backup_now_button"))
    ws.pages["settings"].verticalScrollBar().setValue(10_000)
    shoot("28-settings-backups-keys.png", shell, "立即备份")
    click(shell.workspace.findChild(QPushButton, "lock_button"))
    click(shell.unlock_view.restore_button)
    dialog = visible_dialog(shell, "restore_dialog")
    type_into(dialog.folder, str(info.path))
    shoot("29-restore-dialog.png", dialog, "从备份恢复")
    dialog.done(0)


def sync_screens(shell, tmp: Path) -> None:
    """Issue 7: the 同步 page before joining, after a sync, a conflict, and the policy."""
    from sqlalchemy import select

    from app.models import Student
    from app.services import sync
    from app.sync.outbox import enqueue
    from cloud.database import Store, create_schema, make_engine
    from cloud.devserver import DEMO_SCHOOL, _seed
    from cloud.pgcluster import free_port
    from cloud.serve import ServerThread
    from cloud.streams import publish_roster
    from cloud.tls import fingerprint, make_self_signed

    engine = make_engine(f"sqlite:///{tmp / 'city.db'}")
    create_schema(engine)
    store = Store(engine)
    code = _seed(store, Path(__file__).resolve().parent.parent / "resources")
    cert, key = make_self_signed(tmp / "tls")
    server = ServerThread(store, free_port(), certfile=str(cert), keyfile=str(key)).start()
    ws = shell.workspace
    nav(ws, "sync")
    page = ws.sync
    type_into(page.server, server.url)
    type_into(page.code, code)
    type_into(page.fingerprint, fingerprint(cert))
    shoot("23-sync-join.png", shell, "加入市平台")

    def other_school_yes() -> None:
        # The demo city's code is for 示例中学, not this archive's school: the page asks first.
        from PySide6.QtWidgets import QMessageBox

        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            click(box.button(QMessageBox.StandardButton.Yes))
        else:
            QTimer.singleShot(100, other_school_yes)

    QTimer.singleShot(100, other_school_yes)
    click(page.enroll_button)
    for _ in range(100):
        pump(100)
        if not ws.sync_agent.running:
            break
    vault = shell.vault
    with vault.session() as s:
        st = s.scalars(select(Student).order_by(Student.student_no)).first()
        no, name, cls = st.student_no, st.name, st.school_class
        level, number = cls.grade.level, cls.number
    with store.session() as s:
        publish_roster(
            s,
            DEMO_SCHOOL,
            [{"student_no": no, "name": name, "grade_level": level, "class_number": number}],
        )
    ws.sync_agent.sync_now()
    for _ in range(100):
        pump(100)
        if not ws.sync_agent.running:
            break
    with vault.session() as s:
        s.scalars(select(Student).where(Student.student_no == no)).one().name = (
            name + "（本机更正）"
        )
    with store.session() as s:
        publish_roster(
            s,
            DEMO_SCHOOL,
            [{"student_no": no, "name": name, "grade_level": level, "class_number": number + 1}],
        )
    with vault.session() as s:
        enqueue(s, "warning", "demo-bad", {"student_no": no, "level": "unknown"})
    ws.sync_agent.sync_now()
    for _ in range(100):
        pump(100)
        if not ws.sync_agent.running:
            break
    kid = sync.status(vault)
    assert kid.enrolled
    page.refresh()
    tab(page.tabs, 1)
    shoot("24-sync-status.png", shell, "已搁置")
    tab(page.tabs, 2)
    shoot("25-sync-conflict.png", shell, "保留本机版本")
    tab(page.tabs, 3)
    shoot("26-sync-policy.png", shell, "是否发送到市平台")
    ws.sync_agent.stop()
    server.stop()


if __name__ == "__main__":
    sys.exit(main())
