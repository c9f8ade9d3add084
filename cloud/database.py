"""Engine and sessions. PostgreSQL in every real deployment; SQLite only for a quick demo."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from sqlalchemy import Sequence, create_engine, event, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from cloud.models import Base, Counter, SchemaVersion

ENV_URL = "XINDANG_CLOUD_DB"
SCHEMA_VERSION = 4
# Receipt numbers on PostgreSQL: a sequence, not a row every batch would queue on.
SUBMISSION_SEQ = Sequence("submission_server_seq", metadata=Base.metadata)


class SchemaTooOld(Exception):
    pass


def make_engine(url: str | None = None) -> Engine:
    url = url or os.environ.get(ENV_URL) or "sqlite:///cloud-demo.db"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _rec):
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=10000")

        return engine
    return create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    """Idempotent: creates what is missing. A database made by an older layout is refused (the
    reference server has no migrations: export what you need and start a new one)."""
    tables = set(inspect(engine).get_table_names())
    if "submission" in tables and "schema_version" not in tables:
        raise SchemaTooOld(
            "this database was made by an older XinDang city server (schema 1); "
            f"this one needs schema {SCHEMA_VERSION}: create a new database"
        )
    Base.metadata.create_all(engine)
    with Session(engine) as s, s.begin():
        found = s.scalar(select(SchemaVersion.version))
        if found is None:
            s.add(SchemaVersion(version=SCHEMA_VERSION))
        elif found < SCHEMA_VERSION:
            raise SchemaTooOld(f"schema {found} is older than {SCHEMA_VERSION}")
        if engine.dialect.name != "postgresql" and s.get(Counter, "submission") is None:
            s.add(Counter(name="submission", value=0))


class Store:
    """The server's one handle on its database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._factory = sessionmaker(engine, expire_on_commit=False)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        with self._factory() as s, s.begin():
            yield s
