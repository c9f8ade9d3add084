"""Answering modal dialogs the way a person does: wait for the dialog, type, press its button.

A modal's `exec()` blocks the test, so each answer is scheduled before the click that opens the
dialog. Handlers run in order, one per modal that appears (a confirmation after a reason, say).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)


def answer_modals(*handlers: Callable[[QWidget], None], timeout_ms: int = 5000) -> list[str]:
    """Schedule `handlers` for the next modal dialogs; returns the titles seen (filled later)."""
    seen: list[str] = []
    queue = list(handlers)
    state = {"waited": 0, "last": None}

    def tick() -> None:
        if not queue:
            return
        modal = QApplication.activeModalWidget()
        if modal is None or modal is state["last"] or not modal.isVisible():
            state["waited"] += 20
            if state["waited"] < timeout_ms:
                QTimer.singleShot(20, tick)
            return
        state["last"], state["waited"] = modal, 0
        seen.append(modal.windowTitle())
        handler = queue.pop(0)
        if queue:  # scheduled first: the handler's click may open the next modal and block
            QTimer.singleShot(20, tick)
        try:
            handler(modal)
        except Exception as exc:  # never leave a modal open: the test would hang
            seen.append(f"error: {exc!r}")
            modal.done(0) if isinstance(modal, QDialog) else modal.close()

    QTimer.singleShot(0, tick)
    return seen


def type_text(widget: QWidget, text: str) -> None:
    """Key events for each character (QTest.keyClicks cannot run inside another QTest call)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def click(widget: QAbstractButton) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def press_in_modal(button: QAbstractButton) -> None:
    """QTest cannot nest inside the QTest click that opened the modal (Qt aborts), so the
    button is pressed with Qt's own click(): pressed, released and clicked, as by a mouse."""
    assert button.isVisible() and button.isEnabled(), button.text()
    button.click()


def button_with_text(dialog: QWidget, *texts: str) -> QAbstractButton:
    for b in dialog.findChildren(QAbstractButton):
        if b.isVisible() and b.text().replace("&", "") in texts:
            return b
    raise AssertionError(f"no button {texts} in {dialog.windowTitle()}")


def type_and_ok(text: str) -> Callable[[QWidget], None]:
    """Type into the dialog's first text box and press OK (确定)."""

    def handle(dialog: QWidget) -> None:
        edits = dialog.findChildren(QPlainTextEdit) or dialog.findChildren(QLineEdit)
        edit = next(e for e in edits if e.isVisible())
        edit.setFocus()
        type_text(edit, text)
        box = dialog.findChild(QDialogButtonBox)
        press_in_modal(box.button(QDialogButtonBox.StandardButton.Ok))

    return handle


def press(*texts: str) -> Callable[[QWidget], None]:
    """Press the button with one of these texts (是/否/确定/取消 …)."""

    def handle(dialog: QWidget) -> None:
        press_in_modal(button_with_text(dialog, *texts))

    return handle


def yes(dialog: QWidget) -> None:
    assert isinstance(dialog, QMessageBox), type(dialog)
    press_in_modal(dialog.button(QMessageBox.StandardButton.Yes))


def no(dialog: QWidget) -> None:
    assert isinstance(dialog, QMessageBox), type(dialog)
    press_in_modal(dialog.button(QMessageBox.StandardButton.No))


def cancel(dialog: QWidget) -> None:
    press_in_modal(button_with_text(dialog, "Cancel", "取消"))


def print_to_file(path: str) -> Callable[[QWidget], None]:
    """In Qt's print dialog: choose 打印到文件 (PDF), type the file name, press 打印."""

    def handle(dialog: QWidget) -> None:
        from PySide6.QtWidgets import QComboBox

        printers = dialog.findChild(QComboBox, "printers")
        pdf = next(i for i in range(printers.count()) if "PDF" in printers.itemText(i))
        printers.setCurrentIndex(pdf)
        name = dialog.findChild(QLineEdit, "filename")
        name.selectAll()
        name.del_()
        type_text(name, path)
        box = next(b for b in dialog.findChildren(QDialogButtonBox) if b.isVisible())
        press_in_modal(box.button(QDialogButtonBox.StandardButton.Ok))

    return handle


def double_click(widget: QWidget, pos) -> None:
    """As a mouse does it: a click, then the second press Qt reports as a double-click."""
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
    QTest.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=pos)


def click_ok(dialog: QWidget) -> None:
    """Press the dialog's OK (确定) or Save (保存) with the mouse (outside a modal's exec)."""
    if not dialog.isVisible():
        dialog.show()
    for box in dialog.findChildren(QDialogButtonBox):
        for role in (QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Save):
            button = box.button(role)
            if button is not None and button.isVisible():
                QTest.mouseClick(button, Qt.MouseButton.LeftButton)
                return
    raise AssertionError(f"no OK or Save in {dialog.windowTitle()}")


def restore_and_unlock(shell, backup: str, passphrase: str) -> None:
    """From the unlock screen of a damaged archive: 从备份恢复, then unlock the restored one."""
    dialog = shell.unlock_view.open_restore()
    dialog.folder.setText(backup)
    dialog.secret.setText(passphrase)
    click_ok(dialog)
    assert shell.unlock_view.error.text() == "已从备份恢复，现在可以解锁。"
    shell.unlock_view.passphrase.setText(passphrase)
    press_enter(shell.unlock_view.passphrase)


def click_wizard(wizard, which: str) -> None:
    """Press a wizard's 下一步 / 完成 / 取消 (`which`: next, finish, cancel) with the mouse."""
    from PySide6.QtWidgets import QWizard

    button = wizard.button(getattr(QWizard.WizardButton, f"{which.capitalize()}Button"))
    if not wizard.isVisible():
        wizard.show()
    assert button.isVisible() and button.isEnabled(), which
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def press_enter(widget: QWidget) -> None:
    QTest.keyClick(widget, Qt.Key.Key_Return)


def send_key(widget: QWidget, key: Qt.Key) -> None:
    """A key press and release sent to `widget` (usable inside a modal's handler)."""
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier))


def pick_student(picker: QLineEdit, typed: str) -> None:
    """Type a name, initials or 学籍号 and take the completer's first offer with ↓ and Enter."""
    picker.window().activateWindow()  # the completer completes into the focused box only
    picker.setFocus()
    QApplication.processEvents()
    type_text(picker, typed)
    popup = picker.completer().popup()
    assert popup.isVisible(), f"nothing offered for {typed!r}"
    send_key(popup, Qt.Key.Key_Down)
    send_key(popup, Qt.Key.Key_Return)


def start_kiosk(typed: str, *scales: str) -> Callable[[QWidget], None]:
    """In 开始自助测评: pick the student, tick exactly `scales` (↑↓ and Space), press OK."""

    def handle(dialog: QWidget) -> None:
        from PySide6.QtWidgets import QListWidget

        pick_student(dialog.findChild(QLineEdit, "kiosk_student_edit"), typed)
        battery = dialog.findChild(QListWidget, "kiosk_scale_list")
        battery.setFocus()
        for row in range(battery.count()):
            item = battery.item(row)
            wanted = item.data(Qt.ItemDataRole.UserRole) in scales
            if (item.checkState() == Qt.CheckState.Checked) != wanted:
                battery.setCurrentRow(row)
                send_key(battery, Qt.Key.Key_Space)
        press_in_modal(
            dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        )

    return handle
