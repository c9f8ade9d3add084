"""Logging that cannot leak a student: every record passes a redaction filter on its way out.

Code logs metadata only (ids, counts, types). The filter is the second line of defence: any run
of Chinese characters (names, notes), any ≥ 6-character token containing ≥ 5 digits (学籍号,
phone and ID numbers) and e-mail addresses are masked before a record reaches a file.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

_PATTERNS = (
    re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+"),
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    re.compile(r"\b(?=[A-Za-z0-9-]*\d(?:[A-Za-z-]*\d){4})[A-Za-z0-9-]{6,}\b"),
)
MASK = "‹…›"


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not break logging
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info:
            from app.crash import redacted_traceback

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
