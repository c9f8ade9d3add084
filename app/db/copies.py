"""Whole-database copies through SQLCipher itself: backups (same key) and key rotation (new key).

`sqlcipher_export` reads one consistent snapshot, so a copy never mixes two states; the copy is
fsynced before anyone relies on it. Integrity checks verify every page's HMAC
(`cipher_integrity_check`) and SQLite's own structure (`quick_check`).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def _module():
    import sqlcipher3

    return sqlcipher3


def raw_connect(path: Path, key: bytes):
    conn = _module().connect(str(path), isolation_level=None, timeout=30)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not possible on Windows; NTFS journals renames
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def export_copy(src: Path, src_key: bytes, dest: Path, dest_key: bytes) -> None:
    """Write an encrypted copy of `src` to `dest` (which must not exist) under `dest_key`."""
    if dest.exists():
        raise FileExistsError(dest)
    conn = raw_connect(src, src_key)
    try:
        conn.execute(f"ATTACH DATABASE ? AS copy KEY \"x'{dest_key.hex()}'\"", (str(dest),))
        conn.execute("PRAGMA copy.journal_mode = DELETE")
        conn.execute("SELECT sqlcipher_export('copy')")
        version = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA copy.user_version = {int(version)}")
        conn.execute("DETACH DATABASE copy")
    finally:
        conn.close()
    with contextlib.suppress(OSError):
        os.chmod(dest, 0o600)
    fsync_file(dest)
    fsync_dir(dest.parent)


def checkpoint(path: Path, key: bytes) -> None:
    """Move everything from the WAL into the database file and empty the WAL."""
    conn = raw_connect(path, key)
    try:
        busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise RuntimeError("database busy: another connection is still open")
    finally:
        conn.close()


def first_key_that_opens(path: Path, candidates) -> tuple[str, bytes] | None:
    """The first (label, key) whose key decrypts the file's first page, or None."""
    for label, key in candidates:
        try:
            raw_connect(path, key).close()
        except _module().DatabaseError:
            continue
        return label, key
    return None


def integrity_problems(path: Path, key: bytes, *, quick: bool = True) -> list[str]:
    """Empty when every page decrypts and authenticates and the b-trees are sound."""
    conn = raw_connect(path, key)
    try:
        problems = [r[0] for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
        check = "quick_check" if quick else "integrity_check"
        rows = [r[0] for r in conn.execute(f"PRAGMA {check}").fetchall()]
        problems += [r for r in rows if r != "ok"]
        return problems
    except _module().DatabaseError as exc:  # damage bad enough that the check itself fails
        return [str(exc)]
    finally:
        conn.close()
