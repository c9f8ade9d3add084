"""The UI edge where exceptions become messages a teacher can read."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from app.errors import AppError, Cancelled
from app.i18n import _
from app.storage_errors import storage_error

log = logging.getLogger(__name__)


def message_for(exc: BaseException) -> str:
    if isinstance(exc, AppError):
        return exc.user_message()
    fault = storage_error(exc)
    if fault is not None:
        return fault.user_message()
    return _("Something went wrong. The error was recorded; your data was not changed.")


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    if isinstance(exc, Cancelled):
        return
    if not isinstance(exc, AppError) and storage_error(exc) is None:
        # Type only: the message of an unexpected error may quote confidential data.
        log.error("unexpected error: %s", type(exc).__name__)
    QMessageBox.warning(parent, _("XinDang"), message_for(exc))
