"""Keeping the garbage collector's full passes off the window's thread's back.

A full (generation 2) pass walks every tracked object while holding the GIL, stopping the
window's thread with it: with a vault open that is ~450,000 objects and 230–280 ms, three times
during a 5,000-row import (measured by bench/stalls.py). Two measures:

- What is alive once the workspace is up — the libraries, the models, the widgets — lives until
  the lock, so it is moved out of the collector's reach (`settle`, `gc.freeze`); at lock it is
  handed back and collected (`release`), so nothing of a closed archive is kept.
- While work runs in a lane, automatic full passes wait (`paused`): the objects the work
  makes (an ORM session of 5,000 rows) are freed by reference counting when it ends, and the
  pass that follows walks only what is left.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

NEVER = 2**30  # full passes: the count of young passes that would call for one

_lock = threading.Lock()
_pausing = 0
_thresholds = gc.get_threshold()


def settle() -> None:
    """After unlock: the long-lived objects of an open workspace stop being walked."""
    gc.freeze()


def release() -> None:
    """At lock: the frozen objects are collectable again, and collected."""
    gc.unfreeze()
    gc.collect()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No automatic full pass while the block runs (nested and concurrent blocks count). The
    young generations are still collected as usual: disabling the collector altogether let a
    sync's 130,000 young objects pile up into one 65 ms pass at its end."""
    global _pausing, _thresholds
    with _lock:
        if _pausing == 0:
            _thresholds = gc.get_threshold()
            gc.set_threshold(_thresholds[0], _thresholds[1], NEVER)
        _pausing += 1
    try:
        yield
    finally:
        with _lock:
            _pausing -= 1
            if _pausing == 0:
                gc.set_threshold(*_thresholds)
