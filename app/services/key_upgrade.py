"""Vaults made before recipients existed: converted one user at a time, at each one's unlock.

A legacy slot wraps the vault key itself, and the vault key opened the whole database for every
role. At a legacy user's next passphrase unlock their slot is replaced by a key pair wrapped under
the same passphrase, and the keys they hold are sealed to it. The first counselor or admin to
unlock also makes the clinical key and encrypts the clinical fields written before, then
rewrites the file (VACUUM) so no earlier plaintext is left in free pages. Until every legacy slot
is gone the clinical key is also kept wrapped under the vault key (their owners cannot be sealed
to yet); the next key rotation drops that copy — SECURITY.md says so.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from app.db.engine import Database
from app.models import Base
from app.models.fieldcrypt import reseal_connection
from app.vault import vaultdir
from app.vault.keyslots import Generation, save_slot_file, wrap_db_key
from app.vault.vaultdir import Unlocked, VaultPaths


def convert_legacy_slot(
    root: Path, db: Database, unlocked: Unlocked, user, passphrase: str, state: str
) -> tuple[Unlocked, Generation]:
    """Returns the unlock as if made by the new key pair, and the keys the database is under."""
    from app.services.vaults import CLINICAL_ROLES

    slots = vaultdir.read_slots(root)
    slot = next(s for s in slots.user_slots() if s.user_id == unlocked.user_id)
    clinical = user.role in CLINICAL_ROLES
    generations = unlocked.generations(slots)
    if clinical and all(g.clinical_key is None for g in generations):
        key = os.urandom(32)
        escrow = wrap_db_key(slots.vault_id, unlocked.dek, key, "current", "clinical-escrow")
        save_slot_file(VaultPaths(root).keys, replace(slots, clinical_escrow=escrow))
        seal_plaintext(db, key)
    private = vaultdir.enroll(
        root,
        unlocked,
        user_id=user.id,
        login=user.login,
        passphrase=passphrase,
        kdf=slot.kdf,
        clinical=clinical,
    )
    slots = vaultdir.read_slots(root)
    if not slots.legacy_slots():
        save_slot_file(VaultPaths(root).keys, replace(slots, db_keys=(), clinical_escrow=None))
        slots = vaultdir.read_slots(root)
    converted = replace(unlocked, private=private, recipient=user.id)
    return converted, next(g for g in converted.generations(slots) if g.state == state)


def seal_plaintext(db: Database, key: bytes) -> int:
    """Encrypt every clinical value still in the clear, then rewrite the file without them."""
    with db.raw() as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            count = reseal_connection(conn, Base.metadata, None, key)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if count:
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return count
