"""Key material overwritten in place when a vault locks.

Keys opened by `cryptography` arrive as `bytes`, which Python code cannot change; dropped, they
stay in freed memory until something happens to reuse it, where a memory dump or a swap file
finds them (tests/vault/test_memory_after_lock.py looks). CPython keeps a `bytes` value inside
the object at a fixed offset, so `wipe` overwrites it there. Only keys the vault owns are wiped,
and only when nothing will read them again: at lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import sys
from collections.abc import Iterator
from contextvars import ContextVar

_BYTES_VALUE_OFFSET = sys.getsizeof(b"") - 1  # the PyBytesObject header; the value follows
_CPYTHON = sys.implementation.name == "cpython"
_HEX = b"0123456789abcdef"


def wipe(*values: bytes | bytearray | None) -> None:
    """Zero each key in place. Short values are skipped: CPython shares its 0- and 1-byte
    objects, and no key is that short."""
    for value in values:
        if value is None or len(value) < 16:
            continue
        if isinstance(value, bytearray):
            ctypes.memset((ctypes.c_char * len(value)).from_buffer(value), 0, len(value))
        elif type(value) is bytes and _CPYTHON:
            ctypes.memset(id(value) + _BYTES_VALUE_OFFSET, 0, len(value))


def sqlcipher_key_text(key: bytes | bytearray) -> bytearray:
    """A raw key as SQLCipher reads it (`x'…hex…'`), built in a buffer the caller wipes: never a
    `str`, which would stay in memory (and in SQLite's statement text) after the lock."""
    text = bytearray(2 * len(key) + 3)
    text[0:2] = b"x'"
    for i, byte in enumerate(key):
        text[2 + 2 * i] = _HEX[byte >> 4]
        text[3 + 2 * i] = _HEX[byte & 15]
    text[-1] = ord("'")
    return text


_collector: ContextVar[list | None] = ContextVar("xindang_held_keys", default=None)


@contextlib.contextmanager
def keys_held_by(holder: list) -> Iterator[list]:
    """Keys opened in this block (slots, seals, derived MAC keys) are added to `holder`, the
    open vault's list, which its lock wipes."""
    token = _collector.set(holder)
    try:
        yield holder
    finally:
        _collector.reset(token)


def hold(value: bytes | None) -> bytes | None:
    """Mark a key that outlives the function that opened it (see `keys_held_by`)."""
    holder = _collector.get()
    if holder is not None and value is not None:
        holder.append(value)
    return value


def hold_for(holder: list, value: bytes) -> bytes:
    holder.append(value)
    return value


def wipes_keys_it_opens(func):
    """For a use case that opens keys only for itself (checking or restoring a backup): every
    key opened during the call is wiped when it returns or fails."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        held: list = []
        try:
            with keys_held_by(held):
                return func(*args, **kwargs)
        finally:
            wipe(*held)

    return wrapper
