"""A dialog that ends by setting someone's passphrase: fields on top, passphrase pair, OK/Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QVBoxLayout, QWidget

from app.ui.busy import busy
from app.ui.errors import message_for
from app.ui.form_parts import dialog_buttons, error_label
from app.ui.passphrase_field import PassphraseFields


class PassphraseDialog(QDialog):
    """Subclasses fill `self.form` and implement `submit()`; a raised error is shown inline."""

    def __init__(self, object_name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.passphrase = PassphraseFields()
        layout.addWidget(self.passphrase)
        self.error = error_label(f"{object_name}_error")
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, self._accept))

    def submit(self) -> None:
        raise NotImplementedError

    def _accept(self) -> None:
        problem = self.passphrase.problem()
        if problem:
            self.error.setText(problem)
            return
        try:
            with busy():
                self.submit()
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        self.passphrase.clear()
        self.accept()
