"""A passphrase entry pair with a live strength hint."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from app.i18n import _
from app.services import passphrase


class PassphraseFields(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.first = QLineEdit(objectName="passphrase_edit")
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.second = QLineEdit(objectName="passphrase_repeat_edit")
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.hint = QLabel(objectName="strength_label")
        self.hint.setWordWrap(True)
        self.context: tuple[str, ...] = ()  # the user name, the person's name, the school
        form.addRow(_("Passphrase"), self.first)
        form.addRow(_("Repeat passphrase"), self.second)
        form.addRow("", self.hint)
        self.first.textChanged.connect(self._update)
        self.second.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        text = self.first.text()
        level = passphrase.strength(text)
        colors = ("#b00020", "#c25e00", "#8a6d00", "#2e7d32", "#1b5e20")
        msg = _("Strength: {level}").format(level=passphrase.strength_label(text))
        if len(text) < passphrase.MIN_LENGTH:
            msg += " · " + _("at least {n} characters").format(n=passphrase.MIN_LENGTH)
        elif level <= 1:
            msg += " · " + _("too easy to guess: add a few more characters or words")
        elif self.second.text() and self.second.text() != text:
            msg += " · " + _("the two entries differ")
        self.hint.setText(msg)
        self.hint.setStyleSheet(f"color: {colors[level]}")

    def problem(self) -> str | None:
        """Too short, too easy to guess (with the reason), or the two entries differ."""
        text = self.first.text()
        weak = passphrase.problem(text, self.context)
        if weak is not None:
            return weak
        if text != self.second.text():
            return _("The two passphrases differ.")
        return None

    def value(self) -> str:
        return self.first.text()

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()
