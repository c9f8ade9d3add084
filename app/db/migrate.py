"""Bring a vault's schema to this version's head at unlock; refuse a schema from the future.

Alembic (≈10 MB, with Mako and Pygments) is loaded only when there is something to migrate:
an unlock at the head reads one row and compares it with the numbered files."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from app.db.engine import Database
from app.errors import SchemaTooNew

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("app.db").joinpath("migrations")))
    return cfg


def known_revisions() -> list[str]:
    """This release's revisions in order; each migration file is named after its revision
    ('0010_body_schema.py' is revision '0010', whose parent is '0009')."""
    versions = resources.files("app.db").joinpath("migrations", "versions")
    found = {p.name.split("_", 1)[0] for p in versions.iterdir() if p.name[:4].isdigit()}
    return sorted(found)


def head_revision() -> str:
    """Alembic's own answer (tests hold `known_revisions()[-1]` to it)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(db: Database) -> str | None:
    from sqlalchemy import text

    with db.engine.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
        ).first()
        if exists is None:
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(db: Database) -> None:
    """Run pending migrations in one transaction; a no-op (one query) when already current."""
    current, known = current_revision(db), known_revisions()
    if current == known[-1]:
        return
    if current is not None and current not in known:
        raise SchemaTooNew(current)
    from alembic import command

    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
