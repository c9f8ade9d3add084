"""A vault written before recipients and the clinical key (every slot wraps the vault key, the
database is under the vault key, clinical text in the clear) is converted user by user."""

import dataclasses
import datetime as dt
import json
import os

import pytest
import sqlcipher3
from sqlalchemy import JSON

from app.db.copies import checkpoint, export_copy, raw_connect
from app.errors import ValidationError
from app.models import Base
from app.models.fieldcrypt import clinical_columns, plaintext_values
from app.services import keys, records, students, vaults
from app.vault import keyslots, vaultdir
from app.vault.keyslots import SlotFile, save_slot_file
from app.vault.recovery import normalize_recovery_code
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.services.test_records import session_body

COUNSELOR = "辅导老师乙-2026-pass"
VIEWER = "校长专用-2026-pass"
CODE = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ"


def _make_legacy(v) -> None:
    """Turn a current vault into what version 0.1 wrote."""
    root = v.root
    held = v.generation()  # copies of our own below: the lock wipes the vault's keys
    gen = dataclasses.replace(
        held, db_key=bytes(bytearray(held.db_key)), clinical_key=bytes(bytearray(held.clinical_key))
    )
    vault_key = bytes(bytearray(v.unlocked_key().dek))
    vault_id = v.vault_id
    users = {u.login: u.id for u in vaults.list_users(v)}
    v.lock()
    db = root / "archive.db"
    conn = raw_connect(db, gen.db_key)
    for table, column, ctype in clinical_columns(Base.metadata):
        for rowid, stored in conn.execute(f'SELECT rowid, "{column}" FROM "{table}"').fetchall():
            if stored is None:
                continue
            value = json.loads(stored) if isinstance(ctype.impl_instance, JSON) else stored
            plain = ctype.open_value(value, gen.clinical_key)
            out = json.dumps(plain, ensure_ascii=False) if not isinstance(plain, str) else plain
            conn.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', (out, rowid))
    conn.close()
    checkpoint(db, gen.db_key)
    export_copy(db, gen.db_key, root / "legacy.db", vault_key)
    os.replace(root / "legacy.db", db)
    old = vaultdir.read_slots(root)
    slots = SlotFile(vault_id, (), audit_anchor=old.audit_anchor)
    for login, secret in (("admin", PASSPHRASE), ("cb", COUNSELOR), ("boss", VIEWER)):
        slots = slots.with_slot(
            keyslots.seal(
                vault_id,
                vault_key,
                secret.encode(),
                kind=keyslots.KIND_PASSPHRASE,
                kdf=FAST_KDF,
                user_id=users[login],
                login=login,
            )
        )
    slots = slots.with_slot(
        keyslots.seal(
            vault_id,
            vault_key,
            normalize_recovery_code(CODE).encode(),
            kind=keyslots.KIND_RECOVERY,
            kdf=FAST_KDF,
        )
    )
    save_slot_file(root / "keys.json", _with_v1_slot(slots, vault_key, "cb", COUNSELOR))


def _with_v1_slot(slots: SlotFile, vault_key: bytes, login: str, secret: str) -> SlotFile:
    """The oldest slot format: only vault, id, kind and user were authenticated."""
    import dataclasses

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from app.vault.kdf import derive_key

    current = next(s for s in slots.slots if s.login == login)
    old = dataclasses.replace(current, aad_version=1, created="2026-09-01T00:00:00+00:00")
    kek = derive_key(secret.encode(), old.salt, FAST_KDF)
    old = dataclasses.replace(
        old, ciphertext=AESGCM(kek).encrypt(old.nonce, vault_key, old.aad(slots.vault_id))
    )
    assert "aad" not in old.to_dict()
    return slots.without(lambda k: k.id == current.id).with_slot(old)


@pytest.fixture
def legacy(populated_vault):
    v = populated_vault
    vaults.add_user(v, login="cb", display_name="乙老师", role="counselor", passphrase=COUNSELOR)
    vaults.add_user(v, login="boss", display_name="校长", role="viewer", passphrase=VIEWER)
    kid = students.search_students(v, limit=1)[0]
    students.update_student_flags(v, kid.id, diagnosis_note="旧版诊断说明")
    records.create_record(
        v,
        "session",
        student_id=kid.id,
        occurred_at=dt.datetime(2026, 11, 3, 9),
        body=session_body(sections={"s": "旧版会谈记录", "p": "下周再约"}),
    )
    root = v.root
    _make_legacy(v)
    return root, kid


def _clear_values(root, key: bytes) -> list:
    conn = sqlcipher3.connect(str(root / "archive.db"))
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    try:
        return plaintext_values(conn, Base.metadata)
    finally:
        conn.close()


def test_the_legacy_fixture_is_what_0_1_wrote(legacy):
    root, _kid = legacy
    slots = vaultdir.read_slots(root)
    assert all(s.legacy for s in slots.slots) and not slots.seals
    vault_key = vaultdir.unlock_with_passphrase(root, PASSPHRASE, "admin").dek
    assert ("student", "diagnosis_note") in _clear_values(root, vault_key)


def test_the_first_counselor_to_unlock_gets_a_key_pair_and_seals_the_clinical_text(legacy):
    root, kid = legacy
    admin = vaults.unlock(root, PASSPHRASE, "admin")
    try:
        assert admin.private_key is not None and admin.holds_clinical_key
        with admin.db.raw() as conn:
            assert plaintext_values(conn, Base.metadata) == []
        assert students.student_archive(admin, kid.id).diagnosis_note == "旧版诊断说明"
    finally:
        admin.lock()
    slots = vaultdir.read_slots(root)
    mine = next(s for s in slots.user_slots() if s.login == "admin")
    assert not mine.legacy and slots.clinical_escrow is not None  # cb, boss, recovery wait


def test_a_legacy_counselor_converts_at_their_own_unlock_and_reads_the_clinical_text(legacy):
    root, kid = legacy
    vaults.unlock(root, PASSPHRASE, "admin").lock()
    b = vaults.unlock(root, COUNSELOR, "cb")
    mine = next(s for s in vaultdir.read_slots(root).user_slots() if s.login == "cb")
    assert mine.aad_version == 2 and mine.public is not None
    try:
        assert b.private_key is not None
        assert students.student_archive(b, kid.id).diagnosis_note == "旧版诊断说明"
    finally:
        b.lock()


def test_rotation_waits_for_every_legacy_key_then_leaves_the_viewer_nothing_clinical(legacy):
    root, _kid = legacy
    admin = vaults.unlock(root, PASSPHRASE, "admin")
    try:
        with pytest.raises(ValidationError) as refused:
            keys.rotate_data_key(admin)
        assert "cb" in str(refused.value) and "boss" in str(refused.value)
        for secret, login in ((COUNSELOR, "cb"), (VIEWER, "boss")):
            vaults.unlock(root, secret, login).lock()
        keys.regenerate_recovery_code(admin)
        keys.rotate_data_key(admin)
    finally:
        admin.lock()
    slots = vaultdir.read_slots(root)
    assert slots.clinical_escrow is None and not slots.db_keys and not slots.legacy_slots()
    boss = vaults.unlock(root, VIEWER, "boss")
    assert not boss.holds_clinical_key
    key = bytes(bytearray(boss.database_key()))  # our own copy: the lock wipes the vault's
    boss.lock()
    conn = sqlcipher3.connect(str(root / "archive.db"))
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    dump = repr(conn.execute("SELECT * FROM student").fetchall())
    dump += repr(conn.execute("SELECT * FROM record").fetchall())
    conn.close()
    assert "旧版诊断说明" not in dump and "旧版会谈记录" not in dump
