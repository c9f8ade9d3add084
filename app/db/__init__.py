"""The only code that creates engines and sessions.

The engine (and SQLAlchemy with it) is loaded on first use, not when a light module of this
package is (the key wiping the unlock window needs): the window appears before the ORM loads."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.db.engine import Database, KeyRejected, open_database

__all__ = ["Database", "KeyRejected", "open_database"]


def __getattr__(name: str):
    if name in __all__:
        from app.db import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'app.db' has no attribute {name!r}")
