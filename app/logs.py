"""Logging that cannot leak a student: every record passes a redaction filter on its way out.

Code logs metadata only (ids, counts, types). The filter is the second line of defence: any run
of Chinese characters (names, notes), any ≥ 6-character token containing ≥ 5 digits (学籍号,
phone and ID numbers) and e-mail addresses are masked before a record reaches a file.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from app.redaction import MASK, redact, redacted_traceback  # noqa: F401 - used by callers too


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not break logging
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info:
            record.msg += "\n" + redacted_traceback(*record.exc_info)
            record.exc_info = None
            record.exc_text = None
        return True


def log_dir() -> Path:
    from app.paths import data_dir

    return data_dir() / "logs"


def configure_logging(level: int = logging.INFO) -> Path:
    """One rotating, owner-only log file for this computer; returns its path."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    path = folder / "xindang.log"
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_xindang", False):
            root.removeHandler(h)
            h.close()
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler._xindang = True
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    path.touch()
    os.chmod(path, 0o600)
    return path
