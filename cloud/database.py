"""Engine and sessions. PostgreSQL in every real deployment; SQLite only for a quick demo."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from cloud.models import Base, Counter

ENV_URL = "XINDANG_CLOUD_DB"


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
    """Idempotent: creates what is missing, including the receipt counter's one row."""
    Base.metadata.create_all(engine)
    with Session(engine) as s, s.begin():
        if s.get(Counter, "submission") is None:
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
