"""Whether an archive's pages are sound: the whole-file check after unlock, the damage a failed
open turns out to be, and a WAL that does not belong to its database (split from vaults.py)."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from app.db import audit
from app.i18n import _
from app.vault import vaultdir
from app.vault.vaultdir import VaultPaths

if TYPE_CHECKING:
    from app.services.vaults import OpenVault
    from app.vault.vaultdir import Unlocked

log = logging.getLogger(__name__)


def check_integrity(vault: OpenVault, progress=None) -> list[str]:
    """Every page of the open archive decrypts and authenticates (SQLCipher's HMACs), read in
    the database lane after unlock; a problem is written to the audit log and returned (the
    window then locks and offers a restore). Empty when the archive is sound."""
    from app.db.copies import integrity_problems_on

    if progress is not None:
        progress(0, 1, _("checking every page of the archive"))
    with vault.db.raw() as conn:
        problems = integrity_problems_on(conn, structure=False)
    if problems:
        log.error("integrity check found %d problems", len(problems))
        with contextlib.suppress(Exception), vault.session() as s:
            audit.record(s, audit.INTEGRITY_FAILED, detail={"problems": len(problems)})
    return problems


def sound_without_wal(db: Path, candidates) -> bool:
    """Whether the database file alone (its WAL ignored) opens and checks out."""
    from app.db.copies import first_key_that_opens, integrity_problems

    found = first_key_that_opens(db, candidates, mode="immutable")
    return found is not None and not integrity_problems(db, found[1], mode="immutable")


def move_wal_aside(paths: VaultPaths) -> Path:
    """A WAL that is not this database's goes, byte for byte, into a folder beside it."""
    import datetime as dt
    import os

    aside = paths.root / f"wal-refused-{dt.datetime.now():%Y%m%d-%H%M%S}"
    aside.mkdir(mode=0o700, exist_ok=True)
    for suffix in ("-wal", "-shm"):
        source = Path(f"{paths.db}{suffix}")
        if source.exists():
            os.replace(source, aside / source.name)
    return aside


def is_database_error(exc: BaseException) -> bool:
    import sqlcipher3
    from sqlalchemy.exc import DatabaseError

    return isinstance(exc, DatabaseError | sqlcipher3.DatabaseError)


def damaged(root: Path, unlocked: Unlocked) -> bool:
    from app.db.copies import first_key_that_opens, integrity_problems

    db = VaultPaths(root).db
    candidates = [(g.state, g.db_key) for g in unlocked.generations(vaultdir.read_slots(root))]
    found = first_key_that_opens(db, candidates)
    return found is None or bool(integrity_problems(db, found[1], structure=False))
