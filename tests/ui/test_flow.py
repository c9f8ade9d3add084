"""The real widgets, driven as a teacher would: set up, import, search, open, and get locked out."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QPushButton, QWizard

from app.services import synthetic, vaults
from app.ui.application import Shell
from app.ui.ops import Ops
from app.ui.setup_wizard import SetupWizard
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.ui.modals import answer_modals, click_ok, click_wizard, press, press_enter, type_text


def run_setup(qtbot, root):
    wizard = SetupWizard(root, kdf=FAST_KDF)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.findChild(object, "school_edit").setText("江门市示范中学")  # QTest types Latin-1 only
    click_wizard(wizard, "next")
    page = wizard.currentPage()
    page.findChild(object, "display_name_edit").setText("王老师")
    page.passphrase.first.setText(PASSPHRASE)
    page.passphrase.second.setText(PASSPHRASE)
    click_wizard(wizard, "next")
    return wizard


def _passphrase_page(qtbot, root):
    """The setup wizard on its second page (the admin and the passphrase)."""
    wizard = SetupWizard(root, kdf=FAST_KDF)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.findChild(object, "school_edit").setText("学校")
    click_wizard(wizard, "next")
    return wizard, wizard.currentPage()


def test_the_wizard_refuses_a_short_passphrase(qtbot, tmp_path):
    wizard, page = _passphrase_page(qtbot, tmp_path / "v")
    qtbot.keyClicks(page.passphrase.first, "short")
    qtbot.keyClicks(page.passphrase.second, "short")
    click_wizard(wizard, "next")
    assert wizard.currentPage() is page
    assert page.error.text() == "密码至少需要 8 个字符。"
    assert not (tmp_path / "v").exists()


def test_the_wizard_refuses_a_guessable_passphrase_and_says_why(qtbot, tmp_path):
    wizard, page = _passphrase_page(qtbot, tmp_path / "v")
    qtbot.keyClicks(page.passphrase.first, "zhangwei1985")
    assert page.passphrase.hint.text().endswith("太容易被猜到：请再加几个字或词")
    qtbot.keyClicks(page.passphrase.second, "zhangwei1985")
    click_wizard(wizard, "next")
    assert wizard.currentPage() is page
    assert page.error.text().startswith(
        "这个密码太容易被猜到（含有常见词、拼音或姓名（zhang、wei）"
    )
    assert not (tmp_path / "v").exists()


def test_the_recovery_code_must_be_confirmed_before_finishing(qtbot, tmp_path):
    wizard = run_setup(qtbot, tmp_path / "v")
    code_label = wizard.findChild(object, "recovery_code_label")
    assert len(code_label.text().split("-")) == 8
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    wizard.findChild(object, "confirm_written_check").setChecked(True)
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    click_wizard(wizard, "finish")
    wizard.created.lock()


def test_wizard_import_search_open_archive_then_auto_lock(qtbot, tmp_path):
    root = tmp_path / "vault"
    wizard = run_setup(qtbot, root)
    wizard.findChild(object, "confirm_written_check").setChecked(True)
    click_wizard(wizard, "finish")
    runner = Ops(inline=True)
    shell = Shell(root, runner=runner, kdf=FAST_KDF)
    qtbot.addWidget(shell)
    shell.enter(wizard.created)
    shell.show()
    ws = shell.workspace
    assert ws.students.model.total == 0

    roster = synthetic.generate_students(90, seed=11)
    path = synthetic.write_roster_csv(
        tmp_path / "名册.csv",
        roster,
        encoding="gbk",
        title="名册",
        extra_rows=[["G12", "坏行", "男", "2012-01-01", "七年级", "1班"]],
    )
    importer = ws.open_import()
    importer.findChild(object, "import_path_edit").setText(str(path))
    click_wizard(importer, "next")
    preview = importer.currentPage()
    assert preview.summary.text() == "有效行 90 行，有问题的行 1 行。"
    assert preview.problems.item(0).text().startswith("第 93 行，“学籍号”列：")
    assert not importer.button(QWizard.WizardButton.NextButton).isEnabled()
    preview.valid_only.setChecked(True)
    click_wizard(importer, "next")
    result = importer.findChild(object, "import_result_label")
    assert result.text() == "新增 90 人，更新 0 人，未变 0 人，无效行 1 行。"
    click_wizard(importer, "finish")
    assert ws.students.model.total == 90

    target = roster[42]
    from app.roster.names import pinyin_keys

    qtbot.keyClicks(ws.students.search, pinyin_keys(target.name)[1])
    qtbot.waitUntil(
        lambda: any(
            ws.students.model.row_at(i).name == target.name
            for i in range(ws.students.model.rowCount())
        )
    )
    ws.students.search.clear()
    qtbot.keyClicks(ws.students.search, target.student_no)
    qtbot.waitUntil(lambda: ws.students.model.rowCount() == 1)
    qtbot.keyClick(ws.students.search, Qt.Key.Key_Return)
    archive = ws.archive
    assert archive is not None
    assert archive.findChild(QLabel, "archive_title").text().startswith(target.name)
    guardian_table = archive.findChild(object, "guardian_table")
    assert guardian_table.item(0, 0).text() == target.guardian_name

    shell.idle.minutes = 10
    shell.idle._last -= 10 * 60 + 1
    shell.idle.check()
    assert shell.workspace is None and shell.vault is None
    assert shell.stack.currentWidget() is shell.unlock_view
    assert ws.students.model.rowCount() == 0
    assert QApplication.clipboard().text() == ""


def test_wrong_passphrase_shows_the_chinese_error_and_stays_locked(qtbot, make_vault):
    vault, _ = make_vault()
    vault.lock()
    shell = Shell(vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    view = shell.unlock_view
    view.passphrase.setText("wrong-passphrase")
    press_enter(view.passphrase)
    assert view.error.text() == "密码错误，请重试。"
    assert shell.workspace is None
    assert view.passphrase.text() == ""


def test_unlock_then_ctrl_l_locks(qtbot, make_vault):
    vault, _ = make_vault()
    vault.lock()
    shell = Shell(vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.show()
    shell.activateWindow()
    assert QTest.qWaitForWindowActive(shell)
    shell.unlock_view.passphrase.setText(PASSPHRASE)
    press_enter(shell.unlock_view.passphrase)
    assert shell.workspace is not None
    qtbot.keyClick(
        shell.workspace.students.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier
    )
    assert shell.workspace is None and shell.vault is None


def test_remember_me_is_disabled_with_the_reason_when_no_keyring(qtbot, make_vault):
    vault, _ = make_vault()
    vault.lock()
    shell = Shell(vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    check = shell.unlock_view.remember
    assert not check.isEnabled()
    assert "本机没有可用的安全系统密钥库" in check.text()


def test_the_navigation_names_every_section_in_chinese(qtbot, populated_vault):
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.enter(populated_vault)
    nav = shell.workspace.nav
    assert [nav.item(i).text() for i in range(nav.count())] == [
        "首页",
        "学生档案",
        "测评",
        "预警",
        "记录",
        "日程",
        "报表",
        "同步",
        "设置",
    ]


@pytest.mark.parametrize(("column", "key"), [(0, "student_no"), (1, "name"), (3, "class")])
def test_clicking_a_header_sorts_through_sql(qtbot, populated_vault, column, key):
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.enter(populated_vault)
    model = shell.workspace.students.model
    model.sort(column, Qt.SortOrder.DescendingOrder)
    from app.services import students

    expected = students.search_students(
        populated_vault,
        students.StudentFilter(status="enrolled"),
        sort=key,
        descending=True,
        limit=5,
    )
    assert [model.row_at(i).id for i in range(5)] == [r.id for r in expected]


def test_the_list_pages_in_from_sql(qtbot, vault, tmp_path):
    from app.services import roster_import

    path = synthetic.write_roster_csv(
        tmp_path / "big.csv", synthetic.generate_students(1200, seed=5)
    )
    roster_import.import_roster(vault, path)
    shell = Shell(vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.enter(vault)
    model = shell.workspace.students.model
    assert model.total == 1200 and model.rowCount() == 500
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 1200 and not model.canFetchMore()


def test_a_viewer_sees_no_import_button(qtbot, populated_vault, principal):
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.enter(principal)
    assert not shell.workspace.students.import_button.isVisibleTo(shell.workspace.students)
    shell.lock()


def test_the_admin_adds_a_counselor_from_settings(qtbot, vault):
    from app.ui.settings_page import SettingsPage
    from app.ui.user_dialog import AddUserDialog

    page = SettingsPage(vault)
    qtbot.addWidget(page)
    page.show()
    assert page.users.count() == 1

    def fill(dialog):
        assert isinstance(dialog, AddUserDialog)
        for edit, text in (
            (dialog.login, "li"),
            (dialog.display, "李老师"),
            (dialog.passphrase.first, "li-passphrase-1"),
            (dialog.passphrase.second, "li-passphrase-1"),
        ):
            edit.setFocus()
            type_text(edit, text)
        press("OK", "确定")(dialog)

    seen = answer_modals(fill)
    QTest.mouseClick(page.findChild(QPushButton, "add_user_button"), Qt.MouseButton.LeftButton)
    assert seen == ["添加用户"]
    assert page.users.item(1).text() == "李老师（li）· 心理教师"
    assert vaults.logins(vault.root) == ["admin", "li"]


def test_a_counselor_edits_flags_and_the_note_and_the_archive_shows_them(qtbot, populated_vault):
    from app.services import students
    from app.ui.student_edit_dialog import StudentEditDialog

    row = students.search_students(populated_vault)[0]
    dialog = StudentEditDialog(populated_vault, students.student_archive(populated_vault, row.id))
    qtbot.addWidget(dialog)
    dialog.checks["left_behind"].setChecked(True)
    dialog.checks["divorced"].setChecked(True)
    dialog.note.setPlainText("入学前诊断：焦虑（测试）")
    dialog.show()
    click_ok(dialog)
    archive = students.student_archive(populated_vault, row.id)
    assert archive.left_behind and archive.family_flags == ("divorced",)
    assert archive.diagnosis_note == "入学前诊断：焦虑（测试）"


def test_locking_closes_open_dialogs(qtbot, populated_vault):
    from app.services import students
    from app.ui.student_edit_dialog import StudentEditDialog

    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.enter(populated_vault)
    row = students.search_students(populated_vault)[0]
    shell.workspace.open_student(row.id)
    dialog = StudentEditDialog(populated_vault, shell.workspace.archive.archive, shell)
    dialog.show()
    shell.lock()
    assert not dialog.isVisible()
    assert shell.workspace is None


def test_the_recovery_dialog_resets_the_passphrase(qtbot, make_vault):
    from app.ui.unlock_view import RecoveryDialog

    vault, code = make_vault()
    vault.lock()
    dialog = RecoveryDialog(vault.root, "admin")
    qtbot.addWidget(dialog)
    dialog.code.setText("0000-0000-0000-0000-0000-0000-0000-0000")
    dialog.passphrase.first.setText("new-passphrase-1")
    dialog.passphrase.second.setText("new-passphrase-1")
    dialog.show()
    click_ok(dialog)
    assert dialog.error.text() == "密码错误，请重试。"
    dialog.code.setText(code)
    dialog.passphrase.first.setText("new-passphrase-1")
    dialog.passphrase.second.setText("new-passphrase-1")
    click_ok(dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    vaults.unlock(vault.root, "new-passphrase-1", "admin").lock()


def test_the_admin_lets_admins_read_private_notes_from_now_on_by_a_click(qtbot, populated_vault):
    import datetime as dt

    from app.services import private_notes, records, students
    from app.ui.settings_page import SettingsPage

    vault = populated_vault
    vaults.add_user(
        vault,
        login="cb",
        display_name="乙老师",
        role="counselor",
        passphrase="辅导老师乙-2026-pass",
    )
    kid = students.search_students(vault, limit=1)[0]
    page = SettingsPage(vault)
    qtbot.addWidget(page)
    page.show()
    box = page.findChild(QCheckBox, "admin_notes_check")
    assert box.text() == "管理员可以阅读此后写下的私密过程记录" and not box.isChecked()
    qtbot.mouseClick(box, Qt.LeftButton)
    assert vaults.get_setting(vault, private_notes.SETTING, False) is True
    b = vaults.unlock(vault.root, "辅导老师乙-2026-pass", "cb")
    note = records.create_record(
        b,
        "private_note",
        student_id=kid.id,
        occurred_at=dt.datetime(2026, 11, 9),
        body={"text": "乙的笔记"},
    )
    b.lock()
    assert records.get_record(vault, note.id).body["text"] == "乙的笔记"
