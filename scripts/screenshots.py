"""Drive the real GUI on a display (run under xvfb-run) and save the screenshots in docs/screenshots."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def pump(ms: int = 300) -> None:
    app = QApplication.instance()
    end = QTimer()
    end.setSingleShot(True)
    end.start(ms)
    while end.isActive():
        app.processEvents()


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="xindang-shots-"))
    os.environ["XINDANG_HOME"] = str(tmp / "home")
    from app.i18n import set_language

    set_language("zh_CN")
    from app.services import demo, synthetic
    from app.ui.application import Shell
    from app.ui.setup_wizard import SetupWizard

    app = QApplication(sys.argv)
    from app.ui.application import install_qt_translations

    install_qt_translations(app, "zh_CN")
    OUT.mkdir(parents=True, exist_ok=True)

    wizard = SetupWizard(tmp / "new-vault")
    wizard.show()
    wizard.currentPage().findChild(object, "school_edit").setText("江门市示范中学")
    wizard.next()
    page = wizard.currentPage()
    page.findChild(object, "display_name_edit").setText("王老师")
    page.passphrase.first.setText("春风十里不如你2026")
    page.passphrase.second.setText("春风十里不如你2026")
    pump()
    wizard.grab().save(str(OUT / "01-setup-wizard-admin.png"))
    wizard.next()
    pump()
    wizard.grab().save(str(OUT / "02-setup-wizard-recovery-code.png"))
    wizard.currentPage().confirm.setChecked(True)
    wizard.accept()
    wizard.created.lock()

    vault = tmp / "demo"
    demo.create_demo_vault(vault)
    shell = Shell(vault)
    shell.show()
    pump()
    shell.unlock_view.passphrase.setText(demo.DEMO_PASSPHRASE)
    pump()
    shell.grab().save(str(OUT / "03-unlock.png"))
    shell.unlock_view.try_unlock()
    for _ in range(50):
        pump(100)
        if shell.workspace is not None:
            break
    ws = shell.workspace
    pump()
    shell.grab().save(str(OUT / "04-student-list.png"))
    ws.students.search.setText("zh")
    pump(500)
    shell.grab().save(str(OUT / "05-search-pinyin-initials.png"))
    ws.students._open_first()
    pump()
    shell.grab().save(str(OUT / "06-archive-page.png"))
    ws.close_archive()

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
    wiz = ws.open_import()
    wiz.currentPage().path.setText(str(roster))
    wiz.next()
    wiz.resize(1000, 700)
    pump()
    wiz.grab().save(str(OUT / "07-import-preview-errors.png"))
    wiz.close()

    # Issue 3: kiosk, paper grid, assessment history.
    from app.services import assessments
    from app.services import students as students_service

    first = students_service.search_students(shell.vault, limit=3)
    for answers in ([1, 1, 2, 1, 0, 1, 0, 0, 0], [2, 2, 2, 1, 1, 2, 1, 1, 1]):
        assessments.record_result(shell.vault, first[0].id, "PHQ-9", answers, mode="paper")
    assessments.record_result(
        shell.vault, first[0].id, "GAD-7", [1, 1, 2, 1, 0, 1, 1], mode="import"
    )
    ws = kiosk_screens(shell, first[1].id)
    from app.ui.paper_entry_dialog import PaperEntryDialog

    paper = PaperEntryDialog(shell.vault, shell, scale_id="PHQ-9")
    paper.show()
    grid = paper.grid
    from PySide6.QtCore import Qt
    from PySide6.QtCore import Qt as Qt2
    from PySide6.QtTest import QTest

    for keys in ("012100100", "111111110", "220110011", "0000000"):
        for k in keys:
            QTest.keyClick(grid, k)
    pump()
    paper.grab().save(str(OUT / "09-paper-entry-grid.png"))
    paper.close()
    ws.open_student(first[0].id)
    ws.archive.tabs.setCurrentIndex(1)
    pump()
    shell.grab().save(str(OUT / "10-assessment-history.png"))
    ws.close_archive()
    ws.show_section("assessments")
    ws.assessments.refresh()
    pump()
    shell.grab().save(str(OUT / "11-assessments-page.png"))
    del Qt

    # Issue 4: session form, group attendance, timeline.
    import datetime as dt

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
    ws.show_section("records")
    ws.records.refresh()
    ws.records.programs.setCurrentRow(0)
    form = ws.records.new_group_session()
    form.editors["topic"].setText("认识情绪")
    form._add_class()
    form.participant_table.item(2, 1).setCheckState(Qt2.CheckState.Unchecked)
    form.participant_table.item(0, 2).setText("主动分享，情绪表达清楚")
    form.resize(820, 900)
    pump()
    form.grab().save(str(OUT / "13-group-session-attendance.png"))
    form.save()
    del program
    ws.show_section("students")
    ws.open_student(sid)
    session_form = ws.archive.new_session()
    session_form.fill_from_previous()
    session_form.resize(760, 900)
    pump()
    session_form.grab().save(str(OUT / "12-session-form.png"))
    session_form.reject()
    ws.archive.tabs.setCurrentWidget(ws.archive.timeline)
    ws.archive.timeline.refresh()
    pump()
    shell.grab().save(str(OUT / "14-timeline.png"))
    ws.show_section("records")
    ws.records.refresh()
    pump()
    shell.grab().save(str(OUT / "15-records-page.png"))

    # Issue 5: warning queue, crisis record, home page.
    import random

    from app.services import crisis, network, warnings
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
    ws.show_section("warnings")
    ws.warnings.refresh()
    ws.warnings.table.selectRow(0)
    pump()
    shell.grab().save(str(OUT / "16-warning-queue.png"))
    top = ws.warnings.rows[0]
    warnings.review(shell.vault, top.id, confirmed=True, note="面谈后确认")
    warnings.add_task(shell.vault, top.id, "每周复谈", dt.date.today() - dt.timedelta(days=1))
    network.notify(shell.vault, top.id, "principal", "李校长", "phone")
    record = crisis.start_crisis(shell.vault, top.student_id, trigger="warning", warning_id=top.id)
    now = dt.datetime.now().replace(second=0, microsecond=0)
    for i, step in enumerate(("ensure_safety", "inform_principal", "inform_guardians")):
        crisis.complete_step(shell.vault, record.id, step, now - dt.timedelta(minutes=40 - 15 * i))
    crisis.link_related(shell.vault, record.id, [(pool[1].id, "同桌"), (pool[2].id, "好友")])
    from app.ui.record_form import RecordForm

    crisis_form = RecordForm(
        shell.vault, "crisis", record=records.get_record(shell.vault, record.id), parent=shell
    )
    crisis_form.resize(820, 900)
    crisis_form.show()
    pump()
    crisis_form.grab().save(str(OUT / "17-crisis-record.png"))
    crisis_form.reject()
    ws.home.refresh()
    ws.show_section("home")
    pump()
    shell.grab().save(str(OUT / "18-home-page.png"))

    # Issue 6: the first pages of a case file, rendered with pdftoppm.
    import subprocess

    from app.services import printing

    pdf, _serial = printing.case_file(shell.vault, sid)
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "3", "-", str(OUT / "19-case-file")],
        input=pdf,
        check=True,
    )

    def pdf_page(data: bytes, name: str) -> None:
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "70",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                "-",
                str(OUT / name),
            ],
            input=data,
            check=True,
        )

    answers = [rng.choice((1, 1, 2, 2, 3)) for _ in range(90)]
    scl = assessments.record_result(shell.vault, sid, "SCL-90", answers, mode="paper")[0]
    pdf_page(printing.assessment_report(shell.vault, scl.id)[0], "20-assessment-report")
    pdf_page(printing.class_summary(shell.vault, "PHQ-9")[0], "21-class-summary")
    ws.show_section("reports")
    ws.reports.refresh()
    pump()
    shell.grab().save(str(OUT / "22-reports-page.png"))
    sync_screens(shell, tmp)
    key_screens(shell, tmp)
    shell.lock()
    pump()
    shell.close()
    shutil.rmtree(tmp, ignore_errors=True)
    print("screenshots written to", OUT)
    return 0


def press(window, key, wait_ms: int = 450) -> None:
    """A key as a student presses it: after the kiosk's debounce, never faster."""
    from PySide6.QtTest import QTest

    pump(wait_ms)
    QTest.keyClick(window, key)


def kiosk_screens(shell, student_id: str):
    """Issue 13: intro, an item, the review, the closing help; then the alert bar it leaves."""
    from PySide6.QtCore import Qt

    from app.services import kiosk
    from app.services.demo import DEMO_PASSPHRASE

    state = kiosk.start(shell.vault, student_id, ["PHQ-9"])
    window = shell.open_kiosk(state)
    pump(500)
    window.grab().save(str(OUT / "30-kiosk-intro.png"))
    press(window, Qt.Key.Key_Return)
    for key in "21":
        press(window, getattr(Qt.Key, f"Key_{key}"))
    pump(500)
    window.grab().save(str(OUT / "08-kiosk-item.png"))
    for key in "3221213":  # item 9: 一半以上的天数
        press(window, getattr(Qt.Key, f"Key_{key}"))
    pump(500)
    window.grab().save(str(OUT / "31-kiosk-review.png"))
    pump(450)
    window.submit_button.click()
    pump(300)
    window.grab().save(str(OUT / "32-kiosk-closing.png"))
    window.try_exit(DEMO_PASSPHRASE)  # what the counselor types into the exit prompt
    pump(300)
    ws = shell.workspace
    shell.resize(1366, 768)
    pump(300)
    shell.grab().save(str(OUT / "33-alert-bar-after-kiosk.png"))
    from app.ui.risk_dialogs import ManualWarningDialog, ReasonDialog

    manual = ManualWarningDialog(shell.vault, student_id, shell)
    manual.reason.setText("课堂上说“活着没意思”，班主任报告")
    manual.show()
    pump(300)
    manual.grab().save(str(OUT / "34-manual-warning.png"))
    manual.reject()
    bar = ws.alert_bar
    ack = ReasonDialog(
        shell,
        "确认知悉",
        "你将如何跟进、何时跟进？（记录在预警中）",
        summary=bar.items[0].headline + "".join(f"\n{d}" for d in bar.items[0].details),
    )
    ack.edit.setPlainText("已约今天第三节课当面评估，并电话告知家长")
    ack.show()
    pump(300)
    ack.grab().save(str(OUT / "35-acknowledge-alert.png"))
    ack.reject()
    return ws


def key_screens(shell, tmp: Path) -> None:
    """Issue 8: backups and keys in 设置, and the restore dialog of the unlock screen."""
    from app.services import backups, vaults
    from app.ui.keys_dialogs import RestoreDialog

    vaults.set_setting(shell.vault, "backup_folder", str(tmp / "usb"))
    info = backups.backup(shell.vault, tmp / "usb")
    ws = shell.workspace
    ws.show_section("settings")
    ws.settings.backup_folder.setText(str(tmp / "usb"))
    ws.settings.backup_now()
    pump()
    ws.pages["settings"].verticalScrollBar().setValue(10_000)
    pump()
    shell.grab().save(str(OUT / "28-settings-backups-keys.png"))
    dialog = RestoreDialog(tmp / "demo", "admin", shell)
    dialog.folder.setText(str(info.path))
    dialog.show()
    pump()
    dialog.grab().save(str(OUT / "29-restore-dialog.png"))
    dialog.reject()


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
    ws.show_section("sync")
    page = ws.sync
    page.refresh()
    page.server.setText(server.url)
    page.code.setText(code)
    page.fingerprint.setText(fingerprint(cert))
    pump()
    shell.grab().save(str(OUT / "23-sync-join.png"))
    page._enroll()
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
    page.tabs.setCurrentIndex(1)
    pump()
    shell.grab().save(str(OUT / "24-sync-status.png"))
    page.tabs.setCurrentIndex(2)
    pump()
    shell.grab().save(str(OUT / "25-sync-conflict.png"))
    page.tabs.setCurrentIndex(3)
    pump()
    shell.grab().save(str(OUT / "26-sync-policy.png"))
    ws.sync_agent.stop()
    server.stop()


if __name__ == "__main__":
    sys.exit(main())
