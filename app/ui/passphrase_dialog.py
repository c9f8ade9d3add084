"""A dialog that ends by setting someone's passphrase: fields on top, passphrase pair, OK/Cancel.

The work (an Argon2id derivation, and for a handover a whole re-encryption) runs in the
database lane: the window stays live, the dialog's buttons wait, and its result or error comes
back here."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QFormLayout, QVBoxLayout, QWidget

from app.i18n import _
from app.ui.errors import message_for
from app.ui.form_parts import dialog_buttons, error_label
from app.ui.ops import Progress, current
from app.ui.passphrase_field import PassphraseFields


class PassphraseDialog(QDialog):
    """Subclasses fill `self.form` and implement `work()`: read the fields (here, on the
    window's thread) and return what runs in the lane; a raised error is shown inline."""

    busy_text = ""

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
        self.buttons = dialog_buttons(self, self._accept)
        layout.addWidget(self.buttons)
        self.running = False

    def work(self) -> Callable[[Progress], object]:
        raise NotImplementedError

    def finished_with(self, result) -> None:
        """On the window's thread, after the work succeeded."""

    def _accept(self) -> None:
        if self.running:
            return
        problem = self.passphrase.problem()
        if problem:
            self.error.setText(problem)
            return
        try:
            job = self.work()
        except Exception as exc:
            self.error.setText(message_for(exc))
            return
        self.running = True
        self.buttons.setEnabled(False)
        self.error.setText(self.busy_text or _("Working…"))
        current().long(self.windowTitle(), job, self._done, self._failed)

    def _done(self, result) -> None:
        self.running = False
        self.buttons.setEnabled(True)
        self.error.setText("")
        self.finished_with(result)
        self.passphrase.clear()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.buttons.setEnabled(True)
        self.error.setText(message_for(exc))

    def reject(self) -> None:
        if not self.running:  # a passphrase half-changed is not something to walk away from
            super().reject()
