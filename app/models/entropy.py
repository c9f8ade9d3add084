"""Random bytes for record ids and encryption nonces, read from the OS a page at a time.

`os.urandom` gives up the GIL for its system call. A lane making thousands of ids (a sync
applying a roster, an import) then gives the GIL up and takes it back many times a
millisecond, and CPython's forced switch never fires for the window's thread, which waited
50–100 ms at a time (bench/sync.py). Reading 4 KiB at once makes that one call per 256 ids.
Each byte is used once; a forked child starts a fresh page.
"""

from __future__ import annotations

import os
import threading
import uuid

PAGE = 4096

_local = threading.local()


def random_bytes(n: int) -> bytes:
    """`n` bytes from the OS's CSPRNG (n ≤ PAGE)."""
    page = getattr(_local, "page", b"")
    at = getattr(_local, "at", 0)
    if at + n > len(page):
        page, at = os.urandom(PAGE), 0
        _local.page = page
    _local.at = at + n
    return page[at : at + n]


def new_uuid() -> str:
    """A random (version 4) UUID, as uuid.uuid4() makes it."""
    return str(uuid.UUID(bytes=random_bytes(16), version=4))


def _forget() -> None:
    _local.__dict__.clear()


os.register_at_fork(after_in_child=_forget)
