"""A new archive's home page: the first-run checklist, each step a button to its page, ticked
when the archive says it is done, gone when all four are."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.services import network, roster_import, vaults
from app.ui.application import Shell
from app.ui.ops import Ops


def test_the_checklist_leads_to_each_page_and_ticks_itself(qtbot, vault, roster_csv, tmp_path):
    shell = Shell(vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.show()
    shell.enter(vault)
    ws = shell.workspace
    home = ws.home
    assert home.first_run.isVisible()
    assert home.steps["roster"].text() == "○ 导入学生名册"
    QTest.mouseClick(home.steps["roster"], Qt.MouseButton.LeftButton)
    assert ws.nav.currentItem().text() == "学生档案"
    ws.show_section("home")
    QTest.mouseClick(home.steps["city"], Qt.MouseButton.LeftButton)
    assert ws.nav.currentItem().text() == "同步"

    assert roster_import.import_roster(vault, roster_csv).applied
    network.set_contact(vault, "principal", "李校长")
    network.set_contact(vault, "counselor", "王老师")
    vaults.set_setting(vault, "backup_folder", str(tmp_path / "usb"))
    ws.show_section("home")
    qtbot.waitUntil(lambda: home.steps["backup"].text().startswith("✓"))
    assert [home.steps[k].text()[0] for k in ("roster", "network", "backup", "city")] == list(
        "✓✓✓○"
    )
    assert not home.steps["roster"].isEnabled() and home.steps["city"].isEnabled()
    shell.lock()
