"""Rotating the database key so that a crash at any moment leaves the old or the new state.

Steps (each durable before the next):
1. export an encrypted copy under a new key to `archive.db.rotating` and check it;
2. record the new key as "next" beside the current one in the key file (atomic write);
3. replace `archive.db` with the copy (atomic rename);
4. make "next" the current key in the key file.
At unlock the current key is tried first, then "next" (a crash between 3 and 4), and `finish`
tidies whatever a crash left behind. The new keys are sealed to the remaining recipients' public
keys, so nobody's passphrase is needed and a removed user's old key file opens nothing new. The
vault key (audit MACs) does not change.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from app.crashpoints import crash_point
from app.db.copies import checkpoint, export_copy, fsync_dir, integrity_problems
from app.db.wipe import hold
from app.errors import VaultDamaged
from app.i18n import _
from app.vault.keyslots import SECRET_CLINICAL, SECRET_VAULT, Generation, SlotFile, save_slot_file
from app.vault.vaultdir import Unlocked, VaultPaths, read_slots, seal_keys

SUFFIX = ".rotating"


def _pending(paths: VaultPaths) -> Path:
    return paths.db.with_name(paths.db.name + SUFFIX)


def _leftovers(paths: VaultPaths) -> tuple[Path, ...]:
    """The unfinished copy and the rollback journal its export leaves if killed mid-copy."""
    pending = _pending(paths)
    return pending, pending.with_name(pending.name + "-journal")


def finish(root: Path, slots: SlotFile, opened_with: str) -> None:
    """After a successful open: settle the key file on the keys that worked, drop leftovers."""
    paths = VaultPaths(Path(root))
    for leftover in _leftovers(paths):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    pending = any(w.state == "next" for w in slots.db_keys) or any(
        s.state == "next" for s in slots.seals
    )
    if not pending:
        return
    keep = tuple(w for w in slots.db_keys if w.state == opened_with)
    keep = tuple(replace(w, state="current") for w in keep)
    seals = tuple(
        replace(s, state="current")
        for s in slots.seals
        if s.secret == SECRET_VAULT or s.state == opened_with
    )
    save_slot_file(paths.keys, replace(slots, db_keys=keep, seals=seals))


ResealFields = Callable[[Path, bytes, bytes | None, bytes], None]


def rotate(
    root: Path,
    holder: Unlocked,
    current: Generation,
    reseal_fields: ResealFields,
    progress: Callable[[int, int, str], None] | None = None,
) -> Generation:
    """Re-encrypt the database under a fresh database key and its clinical fields under a fresh
    clinical key; seal both to every recipient that remains (the clinical key only to those who
    held it). The caller has closed the database. Returns the new keys.

    `progress(step, 4, words)` is called before each step up to the verified copy and may raise
    `Cancelled` there (the copy is removed; nothing changed). From writing the new keys on, the
    rotation runs to its end."""
    report = progress or (lambda *_a: None)
    paths = VaultPaths(Path(root))
    pending = _pending(paths)
    for leftover in _leftovers(paths):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    new = Generation("next", hold(os.urandom(32)), hold(os.urandom(32)))
    try:
        report(0, 4, _("copying under the new key"))
        checkpoint(paths.db, current.db_key)
        export_copy(paths.db, current.db_key, pending, new.db_key)
        report(1, 4, _("re-encrypting the confidential fields"))
        reseal_fields(pending, new.db_key, current.clinical_key, new.clinical_key)
        report(2, 4, _("checking the copy"))
        problems = integrity_problems(pending, new.db_key)
        report(3, 4, _("sealing the new keys"))
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            pending.unlink()
        raise
    if problems:
        pending.unlink()
        raise VaultDamaged(_("the re-encrypted copy failed its check; nothing was changed."))
    crash_point("rotate.exported")
    slots = read_slots(root).without(lambda s: s.legacy)
    clinical = {s.recipient for s in slots.seals if s.secret == SECRET_CLINICAL}
    seals = [s for s in slots.seals if s.state == "current"]
    for name, public in slots.recipients().items():
        seals += seal_keys(
            slots.with_seals(()), name, public, holder.dek, [new], clinical=name in clinical
        ).seals[1:]  # the new database and clinical keys; the vault key is already sealed
    # Every holder now has the current keys sealed to them: the legacy wrapped keys can go.
    slots = replace(slots, seals=tuple(seals), db_keys=(), clinical_escrow=None)
    save_slot_file(paths.keys, slots)
    crash_point("rotate.keys_written")
    for leftover in (Path(f"{paths.db}-wal"), Path(f"{paths.db}-shm")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()  # empty after the checkpoint; must not meet the new file
    os.replace(pending, paths.db)
    fsync_dir(paths.root)
    crash_point("rotate.swapped")
    finish(root, read_slots(root), "next")
    return replace(new, state="current")
