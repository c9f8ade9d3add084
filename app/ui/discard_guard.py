"""No lost typing: a form with unsaved text asks before Esc, the close button or Cancel throws
it away (Chinese IME users press Esc often, to cancel a candidate list)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTextEdit,
    QWidget,
)

from app.i18n import _


def form_state(widget: QWidget) -> tuple:
    """What a person has typed or chosen, in a form that can be compared later."""
    out: list = []
    for w in widget.findChildren(QWidget):
        if isinstance(w, QLineEdit):
            out.append(w.text())
        elif isinstance(w, QPlainTextEdit | QTextEdit):
            out.append(w.toPlainText())
        elif isinstance(w, QComboBox):
            out.append(w.currentIndex())
        elif isinstance(w, QSpinBox):
            out.append(w.value())
        elif isinstance(w, QAbstractButton) and w.isCheckable():
            out.append(w.isChecked())
        elif isinstance(w, QListWidget):  # ticked rows (several classes, say)
            out.append(tuple(w.item(i).checkState() for i in range(w.count())))
        elif isinstance(w, QTableWidget):
            out.append(
                tuple(
                    w.item(r, c).text() if w.item(r, c) else ""
                    for r in range(w.rowCount())
                    for c in range(w.columnCount())
                )
            )
    return tuple(out)


def confirm_discard(parent: QWidget) -> bool:
    """Yes throws the typing away; the default, No, goes back to the form."""
    answer = QMessageBox.question(
        parent,
        _("Unsaved changes"),
        _("Discard what you typed? It has not been saved."),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
