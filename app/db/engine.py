"""SQLCipher engine keyed with a raw 256-bit key through a connection creator.

The key never appears in a URL. Opening fails closed: a file that is missing, plaintext,
truncated or undecryptable is reported and never written to.
"""

from __future__ import annotations

import contextlib
import contextvars
import hmac
import os
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from app.db.changes import install_change_tracking
from app.db.copies import set_key
from app.db.wipe import wipe
from app.errors import VaultDamaged, VaultInUse
from app.i18n import _
from app.models.fieldcrypt import clinical_key, install_overwrite_guard

SQLITE_MAGIC = b"SQLite format 3\x00"
PAGE_SIZE = 4096
CACHE_KIB = 32 * 1024  # 32 MB: as fast as 128 MB at 20,000 students with history (bench/history)


_watch: list = []


def watch_sessions(hook) -> None:
    """Call `hook()` as each session or raw connection is taken (None: stop). The window's
    lanes use it in tests to catch a widget reading the vault on the window's thread."""
    _watch[:] = [hook] if hook is not None else []


class KeyRejected(Exception):
    """The database did not decrypt with this key."""


def check_file(path: Path) -> None:
    """Refuse, before any connection touches it, a file that cannot be an encrypted vault."""
    if not path.exists():
        raise VaultDamaged(_("the archive database is missing."))
    size = path.stat().st_size
    if size == 0:
        raise VaultDamaged(_("the archive database is empty."))
    with path.open("rb") as fh:
        head = fh.read(16)
    if head == SQLITE_MAGIC:
        raise VaultDamaged(_("the archive database is not encrypted."))
    if size % PAGE_SIZE != 0:
        raise VaultDamaged(_("the archive database is truncated or damaged."))


def _connector(module: ModuleType, path: Path, key: bytes | None):
    def connect():
        # A long import holds the write lock for seconds on a slow PC; wait rather than fail.
        conn = module.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        try:
            if key is not None:
                conn.execute("PRAGMA cipher_log_level = NONE")  # we report damage ourselves
                set_key(conn, key)
            # Before the first read: the WAL index then lives in this process's heap, not in a
            # mapped -shm file (a folder turned read-only or a full disk under a mapping is a
            # SIGBUS), and no other process can read or write the file while the vault is open.
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except module.DatabaseError as exc:
            conn.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise VaultInUse() from exc
            raise KeyRejected() from exc
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        except BaseException:
            conn.close()  # never leave a half-set-up connection holding the exclusive lock
            raise
        return conn

    return connect


@dataclass
class _Shared:
    """The one connection to a file this process holds, shared by every open view of it."""

    engine: Engine
    key: bytearray | None  # its own copy, wiped when the last view lets go
    turn: threading.RLock
    users: int = 0


_OPEN: dict[Path, _Shared] = {}
_OPEN_LOCK = threading.Lock()


def open_here(path: Path) -> bool:
    """Whether this process already holds the file open (exclusive locking: no other connection
    could open it, so the opening checks are skipped and the key compared instead)."""
    return Path(path).resolve() in _OPEN


def _release(shared: _Shared, resolved: Path) -> None:
    with _OPEN_LOCK:
        shared.users -= 1
        if shared.users > 0:
            return
        if _OPEN.get(resolved) is shared:
            del _OPEN[resolved]
    shared.engine.dispose()
    wipe(shared.key)


class Database:
    """One open view of a vault's database: one engine — one connection, held in exclusive
    locking mode and shared with any other view of the same file in this process — and a
    session factory. Sessions take turns on the connection (`_turn`)."""

    def __init__(self, shared: _Shared, path: Path, encrypted: bool) -> None:
        self._shared = shared
        self.engine = shared.engine
        self.path = path
        self.encrypted = encrypted
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._turn = shared.turn
        # A view dropped without dispose() (a forgotten unlock) still lets go of the file.
        self._release = weakref.finalize(self, _release, shared, path.resolve())
        # Set by the vault for holders of the clinical key (app/db/fieldcrypt.py); a viewer's
        # database has none and reads clinical columns as sealed.
        self.clinical_key: bytes | None = None

    @contextlib.contextmanager
    def session(
        self, user_id: str | None = None, audit_key: bytes | None = None, *, read: bool = False
    ) -> Iterator[Session]:
        """One short session per use case; commits on success, rolls back on error.

        `read=True` for a use case that only reads: a deferred transaction in `query_only` mode,
        so it never takes the write lock and a write slipped into it fails at once."""
        from app.storage_errors import storage_error

        for hook in _watch:
            hook()
        token = _READING.set(read)
        try:
            with self._turn, clinical_key(self.clinical_key), self._sessions() as s:
                s.info["user_id"] = user_id
                s.info["audit_key"] = audit_key
                with s.begin():
                    yield s
        except Exception as exc:
            if read and "readonly" in str(exc):
                raise  # a write in a reading use case is a bug, not a read-only folder
            fault = storage_error(exc, self.path.parent)
            if fault is None:
                raise
            raise fault from exc
        finally:
            _READING.reset(token)

    def dispose(self) -> None:
        with self._turn:
            self._release()

    @contextlib.contextmanager
    def raw(self) -> Iterator:
        """The sqlcipher3 connection itself, between sessions (copies, one-off passes): while the
        vault is open no other connection can open the file."""
        for hook in _watch:
            hook()
        with self._turn:
            pooled = self.engine.raw_connection()
            try:
                pooled.driver_connection.execute("PRAGMA query_only = 0")
                yield pooled.driver_connection
            finally:
                pooled.close()


def open_database(
    path: Path, key: bytes | None, *, create: bool = False, module: ModuleType | None = None
) -> Database:
    """Open (or, with create=True, create) the archive database.

    `key=None` with `module=sqlite3` gives a plaintext database, used only by the benchmark to
    compare against; production always passes a key.
    """
    path = Path(path)
    with _OPEN_LOCK:
        shared = _OPEN.get(path.resolve())
        if shared is not None and not create:
            if key is None or shared.key is None or not hmac.compare_digest(shared.key, key):
                raise KeyRejected()
            shared.users += 1
            return Database(shared, path, encrypted=key is not None)
    if module is None:
        import sqlcipher3 as module
    key = bytearray(key) if key is not None else None
    if create:
        if path.exists():
            raise FileExistsError(path)
        # Owner-only from the first byte; SQLite gives the -wal and -shm files the same mode.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    else:
        if key is not None:
            check_file(path)
        for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            with contextlib.suppress(OSError):
                os.chmod(part, 0o600)
    engine = create_engine(
        "sqlite://",
        module=module,
        creator=_connector(module, path, key),
        poolclass=StaticPool,
    )
    _autobegin_fix(engine)
    install_change_tracking()
    install_overwrite_guard()
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:
        engine.dispose()
        wipe(key)
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        if isinstance(exc, KeyRejected) or isinstance(cause, KeyRejected):
            raise KeyRejected() from exc
        if isinstance(exc, VaultInUse) or isinstance(cause, VaultInUse):
            raise VaultInUse() from exc
        raise
    if create:
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
    with _OPEN_LOCK:
        shared = _Shared(engine, key, threading.RLock(), users=1)
        _OPEN[path.resolve()] = shared
    return Database(shared, path, encrypted=key is not None)


# Whether the session being opened on this thread only reads (Database.session(read=True)).
_READING: contextvars.ContextVar[bool] = contextvars.ContextVar("xindang_reading", default=False)


def _autobegin_fix(engine: Engine) -> None:
    """pysqlite defers BEGIN; emit it ourselves (SQLAlchemy docs). A writing transaction begins
    IMMEDIATE, taking the write lock up front, so two never both read the audit chain head and
    then both append; a reading one begins DEFERRED with writes refused (`query_only`)."""

    @event.listens_for(engine, "begin")
    def _begin(conn):
        if _READING.get():
            conn.exec_driver_sql("PRAGMA query_only = 1")
            conn.exec_driver_sql("BEGIN DEFERRED")
        else:
            conn.exec_driver_sql("PRAGMA query_only = 0")
            conn.exec_driver_sql("BEGIN IMMEDIATE")
