"""Small pieces every form uses: the inline error line and the OK/Cancel row."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel

ERROR_STYLE = "color: #b00020"


def error_label(object_name: str = "") -> QLabel:
    label = QLabel(objectName=object_name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    return label


def dialog_buttons(
    dialog: QDialog,
    on_accept: Callable[[], None],
    ok: QDialogButtonBox.StandardButton = QDialogButtonBox.StandardButton.Ok,
) -> QDialogButtonBox:
    """OK (or Save) runs `on_accept`, which decides whether to close; Cancel rejects."""
    buttons = QDialogButtonBox(ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(on_accept)
    buttons.rejected.connect(dialog.reject)
    return buttons
