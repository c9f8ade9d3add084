"""Destroying widgets safely while events may still be on their way to them.

`deleteLater()` on a child is unsafe if its parent window is then destroyed from Python
(garbage collection) before the deferred delete runs: PySide6 6.12 then crashes. Detaching the
widget first, and keeping it referenced until Qt reports it destroyed, avoids both that and
deleting a widget inside its own event handler (e.g. a shortcut that closes its page).
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

_retired: set[QWidget] = set()


def dispose_later(widget: QWidget) -> None:
    widget.hide()
    widget.setParent(None)
    _retired.add(widget)
    widget.destroyed.connect(lambda *_a, w=widget: _retired.discard(w))
    widget.deleteLater()
