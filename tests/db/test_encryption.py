"""Encryption at rest, and failing closed on anything that is not a vault we can trust."""

import hashlib
import os
import shutil

import pytest
from sqlalchemy import text

from app.db import migrate
from app.errors import SchemaTooNew, VaultDamaged, VaultExists
from app.services import students, vaults
from tests.conftest import PASSPHRASE


def fingerprint(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_no_student_name_appears_in_the_database_or_its_wal(populated_vault, roster_students):
    root = populated_vault.root
    files = [root / "archive.db", root / "archive.db-wal", root / "keys.json"]
    assert (root / "archive.db-wal").exists()
    blobs = [f.read_bytes() for f in files if f.exists()]
    for st in roster_students:
        for needle in (st.name.encode("utf-8"), st.name.encode("gb18030"), st.student_no.encode()):
            assert not any(needle in b for b in blobs), st.student_no
    populated_vault.lock()
    blobs = [f.read_bytes() for f in files if f.exists()]
    assert not any(roster_students[0].name.encode() in b for b in blobs)


def test_the_database_file_does_not_start_with_the_sqlite_header(vault):
    assert not (vault.root / "archive.db").read_bytes().startswith(b"SQLite format 3")


def test_the_engine_url_carries_no_key(vault):
    assert str(vault.db.engine.url) == "sqlite://"
    assert vault.unlocked_key().dek.hex() not in repr(vault.db.engine.url)


def test_pragmas_are_set_for_durability_and_read_speed(vault):
    with vault.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -32768  # 32 MB
        assert conn.exec_driver_sql("PRAGMA cipher_version").scalar()


def test_locking_closes_every_connection(vault):
    vault.lock()
    assert vault.is_locked
    with pytest.raises(Exception, match="已锁定"):
        students.search_students(vault)


def _replace_db(vault, data: bytes):
    vault.lock()
    db = vault.root / "archive.db"
    for extra in ("archive.db-wal", "archive.db-shm"):
        (vault.root / extra).unlink(missing_ok=True)
    db.write_bytes(data)
    return fingerprint(vault.root)


def test_a_plaintext_database_is_refused_and_left_untouched(vault, tmp_path):
    import sqlite3

    plain = tmp_path / "plain.db"
    conn = sqlite3.connect(plain)
    conn.execute("create table t(x)")
    conn.commit()
    conn.close()
    before = _replace_db(vault, plain.read_bytes())
    with pytest.raises(VaultDamaged, match="未加密"):
        vaults.unlock(vault.root, PASSPHRASE, "admin")
    assert fingerprint(vault.root) == before


def test_a_truncated_database_is_refused_and_left_untouched(vault):
    vault.lock()
    data = (vault.root / "archive.db").read_bytes()
    before = _replace_db(vault, data[: len(data) // 2 - 100])
    with pytest.raises(VaultDamaged, match="截断"):
        vaults.unlock(vault.root, PASSPHRASE, "admin")
    assert fingerprint(vault.root) == before


def test_a_random_bytes_database_is_refused_and_left_untouched(vault):
    before = _replace_db(vault, os.urandom(4096 * 8))
    with pytest.raises(VaultDamaged, match="不匹配"):
        vaults.unlock(vault.root, PASSPHRASE, "admin")
    assert fingerprint(vault.root) == before


def test_a_missing_database_is_never_recreated(vault):
    vault.lock()
    for name in ("archive.db", "archive.db-wal", "archive.db-shm"):
        (vault.root / name).unlink(missing_ok=True)
    with pytest.raises(VaultDamaged, match="缺失"):
        vaults.unlock(vault.root, PASSPHRASE, "admin")
    assert not (vault.root / "archive.db").exists()


def test_another_vaults_database_is_refused(make_vault):
    first, _ = make_vault("a")
    second, _ = make_vault("b")
    first.lock()
    second.lock()
    shutil.copy(second.root / "archive.db", first.root / "archive.db")
    (first.root / "archive.db-wal").unlink(missing_ok=True)
    with pytest.raises(VaultDamaged):
        vaults.unlock(first.root, PASSPHRASE, "admin")


def test_creating_over_an_existing_vault_is_refused(make_vault, tmp_path):
    vault, _ = make_vault()
    before = fingerprint(vault.root)
    with pytest.raises(VaultExists):
        make_vault()
    assert fingerprint(vault.root) == before


def test_the_schema_is_at_head_after_unlock(vault):
    assert migrate.current_revision(vault.db) == migrate.head_revision()


def test_a_vault_from_a_newer_version_is_refused(vault):
    with vault.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    vault.lock()
    with pytest.raises(SchemaTooNew, match="9999"):
        vaults.unlock(vault.root, PASSPHRASE, "admin")
