"""Windows that fit the school PC: 1366×768 or 1280×720, often at 125 % scaling.

One application-wide filter sees every dialog as it is shown and keeps it inside the screen's
available area (shrunk to the screen, then moved onto it): a dialog whose OK button sits below
the taskbar cannot be finished. Long forms put their fields in a scroll area so they can shrink.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtWidgets import QDialog, QWidget


def fit_rect(frame: QRect, available: QRect, margins: tuple[int, int]) -> QRect:
    """The window's frame moved (and shrunk if it must) to lie inside `available`."""
    dw, dh = margins
    width = min(frame.width(), available.width())
    height = min(frame.height(), available.height())
    x = min(max(frame.x(), available.x()), available.right() + 1 - width)
    y = min(max(frame.y(), available.y()), available.bottom() + 1 - height)
    return QRect(x, y, width - dw, height - dh)


def fit_to_screen(window: QWidget) -> None:
    screen = window.screen()
    if screen is None:
        return
    available = screen.availableGeometry()
    frame = window.frameGeometry()
    if available.contains(frame):
        return
    margins = (frame.width() - window.width(), frame.height() - window.height())
    target = fit_rect(frame, available, margins)
    window.resize(max(target.width(), 1), max(target.height(), 1))
    # The frame may not shrink below the layout's minimum: place what we got.
    frame = window.frameGeometry()
    x = min(
        max(frame.x(), available.x()), max(available.x(), available.right() + 1 - frame.width())
    )
    y = min(
        max(frame.y(), available.y()), max(available.y(), available.bottom() + 1 - frame.height())
    )
    window.move(x, y)


class ScreenFit(QObject):
    """Installed once on the application; every dialog is fitted as it is shown."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Show and isinstance(obj, QDialog) and obj.isWindow():
            fit_to_screen(obj)
        return False
