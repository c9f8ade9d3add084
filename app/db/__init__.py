"""The only code that creates engines and sessions."""

from app.db.engine import Database, KeyRejected, open_database

__all__ = ["Database", "KeyRejected", "open_database"]
