"""The school PC's screen: the window opens maximised where it would not fit, comes back where
it was, and a dialog taller than the screen is brought onto it."""

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from app.settings import load_settings
from app.ui.application import Shell
from app.ui.screen_fit import fit_rect


def test_a_frame_taller_than_the_screen_is_shrunk_and_moved_onto_it():
    assert fit_rect(QRect(233, 0, 904, 1004), QRect(0, 0, 1366, 728), (4, 4)) == QRect(
        233, 0, 900, 724
    )


def test_a_frame_off_the_right_edge_moves_left():
    assert fit_rect(QRect(1200, 100, 400, 300), QRect(0, 0, 1366, 768), (0, 0)) == QRect(
        966, 100, 400, 300
    )


def test_the_window_opens_maximised_on_a_1366x768_screen(qtbot, vault):
    shell = Shell(vault.root)
    qtbot.addWidget(shell)
    shell.show_on_screen()
    assert shell.isMaximized()


def test_the_window_comes_back_where_it_was_closed(qtbot, vault):
    shell = Shell(vault.root)
    qtbot.addWidget(shell)
    shell.show()
    shell.setGeometry(40, 50, 900, 600)
    shell.close()
    assert load_settings().window_geometry
    again = Shell(vault.root)
    qtbot.addWidget(again)
    again.show_on_screen()
    assert (again.geometry().width(), again.geometry().height()) == (900, 600)
    assert not again.isMaximized()


def test_a_dialog_taller_than_the_screen_is_fitted_when_shown(qtbot, vault):
    shell = Shell(vault.root)
    qtbot.addWidget(shell)
    dialog = QDialog(shell)
    QVBoxLayout(dialog).addWidget(QWidget())
    dialog.resize(700, 1400)
    dialog.show()
    available = dialog.screen().availableGeometry()
    assert available.contains(dialog.frameGeometry())
    dialog.close()


def test_every_page_fits_a_1366x768_screen(qtbot, populated_vault):
    """No page may make the window taller than the school PC's screen (the warnings page's
    detail pane once pushed it to 883 pixels)."""
    import datetime as dt

    from app.services import assessments, students, warnings
    from app.ui.ops import Ops

    for kid in students.search_students(populated_vault, limit=3):
        assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    w = warnings.queue(populated_vault)[0]
    warnings.add_task(populated_vault, w.id, "复谈", dt.date.today() - dt.timedelta(days=2))
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.show()
    shell.enter(populated_vault)
    ws = shell.workspace
    for section in (
        "home",
        "students",
        "assessments",
        "warnings",
        "records",
        "calendar",
        "reports",
        "sync",
    ):
        ws.show_section(section)
        hint = shell.minimumSizeHint()
        inner = ws.minimumSizeHint()
        assert max(hint.height(), inner.height()) <= 728, (section, hint, inner)
        assert max(hint.width(), inner.width()) <= 1366, (section, hint, inner)
    shell.lock()
