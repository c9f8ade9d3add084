"""Storage faults (a full disk, a read-only folder) told as what they are, in Chinese.

Without this a full disk during an import reads as a crash, and a read-only folder at unlock as
"damaged, restore from a backup" — the one piece of advice that could make things worse. Every
edge (window, command line, the unlock checks, a session's commit) asks `storage_error` first.
"""

from __future__ import annotations

import errno
import math
import os
import shutil
from pathlib import Path

from app.errors import AppError
from app.i18n import _

# Opening writes the WAL index and the first frames; below this a vault cannot be used safely.
MIN_FREE_BYTES = 8 * 1024 * 1024
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


class DiskFull(AppError):
    def __init__(self, needed_mb: int) -> None:
        self.needed_mb = needed_mb
        super().__init__(
            _(
                "The disk is full (about {mb} MB more is needed); your data was not affected. "
                "Free some space and try again."
            ).format(mb=needed_mb)
        )


class FolderReadOnly(AppError):
    def __init__(self, folder: str, *, backup: bool = False) -> None:
        self.folder = folder
        text = (
            _(
                "The backup folder cannot be written to ({folder}): it is read-only or this "
                "account may not write there. Your data was not affected."
            )
            if backup
            else _(
                "The archive folder cannot be written to ({folder}): it is read-only or this "
                "account may not write there. Your data was not affected."
            )
        )
        super().__init__(text.format(folder=folder))


def needed_mb(folder: Path | None) -> int:
    """What an operation on this vault may need: its database's size, and at least 8 MB."""
    size = 0
    if folder is not None:
        db = Path(folder) / "archive.db"
        size = db.stat().st_size if db.exists() else 0
    return max(8, math.ceil(size / 1024 / 1024))


def check_writable(folder: Path) -> None:
    """Before opening: a folder that cannot take a write is reported as such, not as damage."""
    folder = Path(folder)
    if not os.access(folder, os.W_OK):
        raise FolderReadOnly(str(folder))
    if shutil.disk_usage(folder).free < MIN_FREE_BYTES:
        raise DiskFull(needed_mb(folder))


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's error
        if isinstance(orig, BaseException):
            yield orig
        exc = exc.__cause__ or exc.__context__


def storage_error(exc: BaseException, folder: Path | None = None) -> AppError | None:
    """The storage fault behind `exc` as a domain error, or None when it is something else."""
    for e in _chain(exc):
        if isinstance(e, (DiskFull, FolderReadOnly)):
            return e
        if isinstance(e, OSError) and e.errno in _FULL:
            return DiskFull(needed_mb(folder))
        if isinstance(e, OSError) and (
            e.errno == errno.EROFS or (e.errno in _READ_ONLY and folder is not None)
        ):
            return FolderReadOnly(str(folder or getattr(e, "filename", "") or ""))
        text = str(e).lower()
        if type(e).__name__ in ("OperationalError", "DatabaseError"):
            if "database is locked" in text or "database is busy" in text:
                from app.errors import VaultInUse

                return VaultInUse()
            if "disk is full" in text:
                return DiskFull(needed_mb(folder))
            if "readonly" in text or "read-only" in text:
                return FolderReadOnly(str(folder or ""))
            if folder is not None and ("disk i/o error" in text or "unable to open" in text):
                try:
                    check_writable(folder)
                except (DiskFull, FolderReadOnly) as found:
                    return found
    return None
