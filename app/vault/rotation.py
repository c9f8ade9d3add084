"""Rotating the database key so that a crash at any moment leaves the old or the new state.

Steps (each durable before the next):
1. export an encrypted copy under a new key to `archive.db.rotating` and check it;
2. record the new key as "next" beside the current one in the key file (atomic write);
3. replace `archive.db` with the copy (atomic rename);
4. make "next" the current key in the key file.
At unlock the current key is tried first, then "next" (a crash between 3 and 4), and `finish`
tidies whatever a crash left behind. Slots wrap the vault key, which does not change.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from app.crashpoints import crash_point
from app.db.copies import checkpoint, export_copy, fsync_dir, integrity_problems
from app.errors import VaultDamaged
from app.i18n import _
from app.vault.keyslots import SlotFile, save_slot_file, wrap_db_key
from app.vault.vaultdir import VaultPaths, read_slots

SUFFIX = ".rotating"


def _pending(paths: VaultPaths) -> Path:
    return paths.db.with_name(paths.db.name + SUFFIX)


def _leftovers(paths: VaultPaths) -> tuple[Path, ...]:
    """The unfinished copy and the rollback journal its export leaves if killed mid-copy."""
    pending = _pending(paths)
    return pending, pending.with_name(pending.name + "-journal")


def finish(root: Path, slots: SlotFile, opened_with: str) -> None:
    """After a successful open: settle the key file on the key that worked, drop leftovers."""
    paths = VaultPaths(Path(root))
    for leftover in _leftovers(paths):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    if not any(w.state == "next" for w in slots.db_keys):
        return
    keep = tuple(w for w in slots.db_keys if w.state == opened_with)
    keep = tuple(type(w)(w.id, "current", w.nonce, w.ciphertext, w.created) for w in keep)
    save_slot_file(paths.keys, slots.with_db_keys(keep))


def rotate(root: Path, vault_key: bytes, current_key: bytes) -> bytes:
    """Re-encrypt the database under a fresh key; returns it. The caller has closed the database."""
    paths = VaultPaths(Path(root))
    pending = _pending(paths)
    for leftover in _leftovers(paths):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    new_key = os.urandom(32)
    checkpoint(paths.db, current_key)
    export_copy(paths.db, current_key, pending, new_key)
    if integrity_problems(pending, new_key):
        pending.unlink()
        raise VaultDamaged(_("the re-encrypted copy failed its check; nothing was changed."))
    crash_point("rotate.exported")
    slots = read_slots(root)
    current = tuple(w for w in slots.db_keys if w.state == "current") or (
        wrap_db_key(slots.vault_id, vault_key, current_key, "current"),
    )
    nxt = wrap_db_key(slots.vault_id, vault_key, new_key, "next")
    save_slot_file(paths.keys, slots.with_db_keys((*current, nxt)))
    crash_point("rotate.keys_written")
    for leftover in (Path(f"{paths.db}-wal"), Path(f"{paths.db}-shm")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()  # empty after the checkpoint; must not meet the new file
    os.replace(pending, paths.db)
    fsync_dir(paths.root)
    crash_point("rotate.swapped")
    final = type(nxt)(nxt.id, "current", nxt.nonce, nxt.ciphertext, nxt.created)
    save_slot_file(paths.keys, read_slots(root).with_db_keys((final,)))
    return new_key
