"""Small pieces every form uses: the inline error line and the OK/Cancel row."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

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
    buttons.accepted.connect(lambda: on_accept())
    buttons.rejected.connect(dialog.reject)
    return buttons


def folder_row(
    parent: QWidget,
    edit_name: str,
    button_name: str,
    title: str,
    on_chosen: Callable[[], None] | None = None,
) -> tuple[QHBoxLayout, QLineEdit, QPushButton]:
    """A path field with a 选择… button that opens a folder chooser."""
    from app.i18n import _

    row = QHBoxLayout()
    edit = QLineEdit(objectName=edit_name)
    browse = QPushButton(_("Choose…"), objectName=button_name)

    def choose() -> None:
        chosen = QFileDialog.getExistingDirectory(parent, title)
        if chosen:
            edit.setText(chosen)
            if on_chosen is not None:
                on_chosen()

    browse.clicked.connect(choose)
    row.addWidget(edit, 1)
    row.addWidget(browse)
    return row, edit, browse
