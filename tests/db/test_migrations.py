"""A vault written at an older schema is upgraded at unlock, its data intact."""

import os

from alembic import command
from sqlalchemy import text

from app.db import migrate, open_database
from app.services import students, vaults
from tests.conftest import PASSPHRASE


def test_a_schema_0001_vault_is_upgraded_at_unlock(populated_vault):
    db = populated_vault.db
    with db.engine.begin() as conn:
        cfg = migrate.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert migrate.current_revision(db) == "0001"
    populated_vault.lock()
    again = vaults.unlock(populated_vault.root, PASSPHRASE, "admin")
    assert migrate.current_revision(again.db) == migrate.head_revision()
    assert students.count_students(again) == 120
    with again.db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM assessment_result")).scalar() == 0
    again.lock()


def test_head_is_reached_from_an_empty_database(tmp_path):
    db = open_database(tmp_path / "x.db", os.urandom(32), create=True)
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision()
    db.dispose()


def test_the_migrated_schema_is_the_one_the_models_describe(tmp_path):
    """Every table, column and index the models declare is made by the migrations (and nothing
    else): a model change without its migration fails here, not in a school's archive."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.models import Base

    db = open_database(tmp_path / "x.db", os.urandom(32), create=True)
    migrate.upgrade(db)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.dispose()
    assert diff == []


def test_every_migration_steps_down_and_up_again(populated_vault):
    db = populated_vault.db
    with db.engine.begin() as conn:
        cfg = migrate.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
        command.upgrade(cfg, "head")
    assert migrate.current_revision(db) == migrate.head_revision()
    assert students.count_students(populated_vault) == 120


def test_the_numbered_files_name_the_revisions_alembic_walks():
    """Unlock compares a vault with the numbered files, without loading Alembic: the files'
    numbers must be exactly Alembic's revisions, the last one its head."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert migrate.known_revisions() == sorted(r.revision for r in script.walk_revisions())
    assert migrate.known_revisions()[-1] == migrate.head_revision()
