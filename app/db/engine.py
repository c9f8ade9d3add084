"""SQLCipher engine keyed with a raw 256-bit key through a connection creator.

The key never appears in a URL. Opening fails closed: a file that is missing, plaintext,
truncated or undecryptable is reported and never written to.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from app.db.changes import install_change_tracking
from app.errors import VaultDamaged
from app.i18n import _
from app.models.fieldcrypt import clinical_key, install_overwrite_guard

SQLITE_MAGIC = b"SQLite format 3\x00"
PAGE_SIZE = 4096
CACHE_KIB = 128 * 1024  # a 128 MB page cache keeps reads from being dominated by decryption


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
                conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except module.DatabaseError as exc:
            conn.close()
            raise KeyRejected() from exc
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        return conn

    return connect


class Database:
    """Owns one engine and its session factory for one open vault."""

    def __init__(self, engine: Engine, path: Path, encrypted: bool) -> None:
        self.engine = engine
        self.path = path
        self.encrypted = encrypted
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # Set by the vault for holders of the clinical key (app/db/fieldcrypt.py); a viewer's
        # database has none and reads clinical columns as sealed.
        self.clinical_key: bytes | None = None

    @contextlib.contextmanager
    def session(
        self, user_id: str | None = None, audit_key: bytes | None = None
    ) -> Iterator[Session]:
        """One short session per use case; commits on success, rolls back on error."""
        from app.storage_errors import storage_error

        try:
            with clinical_key(self.clinical_key), self._sessions() as s:
                s.info["user_id"] = user_id
                s.info["audit_key"] = audit_key
                with s.begin():
                    yield s
        except Exception as exc:
            fault = storage_error(exc, self.path.parent)
            if fault is None:
                raise
            raise fault from exc

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(
    path: Path, key: bytes | None, *, create: bool = False, module: ModuleType | None = None
) -> Database:
    """Open (or, with create=True, create) the archive database.

    `key=None` with `module=sqlite3` gives a plaintext database, used only by the benchmark to
    compare against; production always passes a key.
    """
    path = Path(path)
    if module is None:
        import sqlcipher3 as module
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
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=3,
    )
    _autobegin_fix(engine)
    install_change_tracking()
    install_overwrite_guard()
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:
        engine.dispose()
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        if isinstance(exc, KeyRejected) or isinstance(cause, KeyRejected):
            raise KeyRejected() from exc
        raise
    if create:
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
    return Database(engine, path, encrypted=key is not None)


def _autobegin_fix(engine: Engine) -> None:
    """pysqlite defers BEGIN; emit it ourselves (SQLAlchemy docs). IMMEDIATE takes the write lock
    up front, so two transactions never both read the audit chain head and then both append."""

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
