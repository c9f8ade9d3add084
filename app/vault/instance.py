"""One running XinDang per vault: an OS file lock held for as long as the window is open.

The OS releases it when the process ends, however it ends, so a crash never leaves it stuck.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.errors import VaultInUse

LOCK_NAME = ".xindang.lock"
__all__ = ["InstanceLock", "VaultInUse"]


class InstanceLock:
    def __init__(self, root: Path) -> None:
        self.path = Path(root) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> InstanceLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            raise VaultInUse() from exc
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None
