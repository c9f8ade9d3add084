"""A crash handler that records where it broke, never what it was working on.

The report holds the version, the exception type, the redacted message and the stack as
file:line:function — no source lines, no local variables. Hard crashes (segfaults in Qt or
SQLCipher) go through faulthandler, which writes frames only.
"""

from __future__ import annotations

import datetime as dt
import faulthandler
import os
import platform
import sys
import threading
from pathlib import Path

from app.redaction import redacted_traceback

_fatal_file = None
# The window registers one to show a storage fault that reached no handler (say, in a slot).
storage_notifiers: list = []


def crash_dir() -> Path:
    from app.paths import data_dir

    return data_dir() / "crash"


def write_report(exc_type, exc, tb) -> Path:
    from app import __version__

    folder = crash_dir()
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    path = folder / f"crash-{dt.datetime.now():%Y%m%d-%H%M%S-%f}.txt"
    text = (
        f"XinDang {__version__} · Python {platform.python_version()} · {platform.platform()}\n"
        + redacted_traceback(exc_type, exc, tb)
        + "\n"
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def install_crash_handler() -> None:
    global _fatal_file
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            return previous(exc_type, exc, tb)
        import logging

        from app.storage_errors import storage_error

        fault = storage_error(exc) if exc is not None else None
        if fault is not None:  # a full disk or read-only folder is not a crash: say what it is
            logging.getLogger("app.crash").warning("storage fault: %s", type(fault).__name__)
            for notify in list(storage_notifiers):
                notify(fault.user_message())
            sys.stderr.write(fault.user_message() + "\n")
            return None

        path = write_report(exc_type, exc, tb)
        logging.getLogger("app.crash").error(
            "unhandled %s, report %s", exc_type.__name__, path.name
        )
        sys.stderr.write(f"XinDang stopped unexpectedly; report: {path}\n")

    sys.excepthook = hook
    threading.excepthook = lambda args: hook(args.exc_type, args.exc_value, args.exc_traceback)
    folder = crash_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fatal = folder / "fatal.log"
    fd = os.open(fatal, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    _fatal_file = os.fdopen(fd, "a")
    faulthandler.enable(_fatal_file)
