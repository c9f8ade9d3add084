"""Whole-database copies through SQLCipher itself: backups (same key) and key rotation (new key).

`sqlcipher_export` reads one consistent snapshot, so a copy never mixes two states; the copy is
fsynced before anyone relies on it. Integrity checks verify every page's HMAC
(`cipher_integrity_check`) and SQLite's own structure (`quick_check`).
"""

from __future__ import annotations

import contextlib
import hmac
import os
from pathlib import Path

from app.db.wipe import sqlcipher_key_text, wipe


def _module():
    import sqlcipher3

    return sqlcipher3


def raw_connect(path: Path, key: bytes, *, mode: str | None = None):
    """`mode` "ro": read-only, so closing can never checkpoint a WAL into the file (a refused
    key or a foreign WAL must leave the file as it was); "immutable": the file alone, WAL ignored."""
    if mode is None:
        conn = _module().connect(str(path), isolation_level=None, timeout=30)
    else:
        uri = f"{Path(path).resolve().as_uri()}?{'mode=ro' if mode == 'ro' else 'immutable=1'}"
        conn = _module().connect(uri, isolation_level=None, timeout=30, uri=True)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        set_key(conn, key)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()  # a refused connection must not keep a lock on the file
        raise
    return conn


def set_key(conn, key: bytes | bytearray) -> None:
    """Key a connection without the key ever being SQL text (`PRAGMA key = "x'…'"` leaves its
    hex in Python strings and SQLite's statement memory after the lock)."""
    text = sqlcipher_key_text(key)
    try:
        conn.set_key(text)
    finally:
        wipe(text)


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
        export_on(conn, dest)
    finally:
        conn.close()
    if not hmac.compare_digest(src_key, dest_key):
        _rekey(dest, src_key, dest_key)


def export_on(conn, dest: Path) -> None:
    """A copy of the database `conn` is open on, under the same key (ATTACH without KEY takes
    the main database's, so no key passes through SQL, where SQLite would keep its text)."""
    if dest.exists():
        raise FileExistsError(dest)
    conn.execute("ATTACH DATABASE ? AS copy", (str(dest),))
    try:
        conn.execute("PRAGMA copy.journal_mode = DELETE")
        conn.execute("SELECT sqlcipher_export('copy')")
        version = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA copy.user_version = {int(version)}")
    finally:
        conn.execute("DETACH DATABASE copy")
    with contextlib.suppress(OSError):
        os.chmod(dest, 0o600)
    fsync_file(dest)
    fsync_dir(dest.parent)


def _rekey(path: Path, key: bytes, new_key: bytes) -> None:
    """Re-encrypt a fresh copy (rollback journal, not WAL) under `new_key`, page by page — in a
    child process, since the re-encryption keeps the GIL (app/db/rekey.py)."""
    from app.db.rekey import rekey_in_child

    rekey_in_child(path, key, new_key)
    fsync_file(path)


def checkpoint(path: Path, key: bytes) -> None:
    """Move everything from the WAL into the database file and empty the WAL."""
    conn = raw_connect(path, key)
    try:
        busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise RuntimeError("database busy: another connection is still open")
    finally:
        conn.close()


@contextlib.contextmanager
def _no_new_sidecars(path: Path):
    """A read-only connection to a WAL database creates `-wal` and `-shm` it cannot delete on
    close; remove the ones it made, so probing a file leaves its folder exactly as it was."""
    sidecars = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    existed = {p for p in sidecars if p.exists()}
    try:
        yield
    finally:
        for p in sidecars:
            if (
                p not in existed
                and p.exists()
                and (p.name.endswith("-shm") or not p.stat().st_size)
            ):
                with contextlib.suppress(OSError):
                    p.unlink()


def first_key_that_opens(path: Path, candidates, *, mode: str = "ro") -> tuple[str, bytes] | None:
    """The first (label, key) whose key decrypts the file's first page, or None (read-only)."""
    with _no_new_sidecars(path):
        for label, key in candidates:
            try:
                raw_connect(path, key, mode=mode).close()
            except _module().OperationalError as exc:
                from app.storage_errors import storage_error

                fault = storage_error(exc, Path(path).parent)
                if fault is not None:
                    raise fault from exc
                continue
            except _module().DatabaseError:
                continue
            return label, key
    return None


def integrity_problems(
    path: Path, key: bytes, *, quick: bool = True, mode: str = "ro", structure: bool = True
) -> list[str]:
    """Empty when every page decrypts and authenticates and (unless `structure` is off) the
    b-trees are sound (read-only)."""
    with _no_new_sidecars(path):
        try:
            conn = raw_connect(path, key, mode=mode)
        except _module().DatabaseError as exc:
            return [str(exc)]
        try:
            return integrity_problems_on(conn, quick=quick, structure=structure)
        finally:
            conn.close()


def integrity_problems_on(conn, *, quick: bool = True, structure: bool = True) -> list[str]:
    """`integrity_problems` through a connection already open (an open vault's own: while it
    is open, its exclusive lock keeps every other connection out)."""
    try:
        problems = [r[0] for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
        if structure:
            check = "quick_check" if quick else "integrity_check"
            rows = [r[0] for r in conn.execute(f"PRAGMA {check}").fetchall()]
            problems += [r for r in rows if r != "ok"]
        return problems
    except _module().DatabaseError as exc:  # damage bad enough that the check itself fails
        return [str(exc)]
