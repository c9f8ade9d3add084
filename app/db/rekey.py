"""Re-encrypting a fresh copy under a new key, in a child process.

sqlcipher3's `reset_key` keeps the GIL for the whole re-encryption — 0.7 s for a 23 MB archive,
measured — and the window's thread waits with it. In a child process the window keeps running;
the keys travel through a pipe from buffers that are wiped, and leave with the child's memory
when it exits. The child is this same program started with `CHILD_FLAG` (`python -m app` from
source, the bundle's own executable when frozen)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.db.wipe import sqlcipher_key_text, wipe

CHILD_FLAG = "--xindang-rekey-child"


class RekeyFailed(RuntimeError):
    """The child could not re-encrypt the copy (the copy is then discarded by the caller)."""


def _command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "app"]


def rekey_in_child(path: Path, key: bytes | bytearray, new_key: bytes | bytearray) -> None:
    payload = bytearray([len(key)]) + bytearray(key) + bytearray(new_key)
    try:
        proc = subprocess.Popen(
            [*_command(), CHILD_FLAG, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            bufsize=0,
        )
        try:
            proc.stdin.write(payload)
        finally:
            proc.stdin.close()
        err = proc.stderr.read()
        if proc.wait() != 0:
            raise RekeyFailed(err.decode("utf-8", "replace")[-500:])
    finally:
        wipe(payload)


def child_main(path: str) -> int:
    """In the child: read the two keys from stdin, re-encrypt `path`, wipe them."""
    import sqlcipher3

    data = bytearray(sys.stdin.buffer.read())
    n = data[0]
    key, new_key = data[1 : 1 + n], data[1 + n :]
    text, new_text = sqlcipher_key_text(key), sqlcipher_key_text(new_key)
    try:
        conn = sqlcipher3.connect(path, isolation_level=None)
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.set_key(text)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.reset_key(new_text)
        finally:
            conn.close()
    finally:
        wipe(data, key, new_key, text, new_text)
    return 0
