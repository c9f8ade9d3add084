"""Key management: passphrases, users' slots, the recovery code, the database key, handover.

Every change is audited; nothing here ever writes a secret anywhere but into a sealed slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from app.db import KeyRejected, audit, open_database
from app.errors import ValidationError, WrongPassphrase
from app.i18n import _
from app.models import User
from app.services.permissions import ADMIN, require
from app.services.vaults import OpenVault, UserInfo, add_user, keeping_keys
from app.vault import keyslots, recipients, rotation, vaultdir
from app.vault.keyslots import save_slot_file, seal
from app.vault.recovery import new_recovery_code, normalize_recovery_code
from app.vault.vaultdir import VaultPaths


@keeping_keys
def change_passphrase(vault: OpenVault, old: str, new: str) -> None:
    """The signed-in user's own passphrase; the old one must be given (someone may walk up)."""
    from app.services.passphrase import require_acceptable

    require_acceptable(new, (vault.user.login, vault.user.display_name))
    slot = next(
        (s for s in vaultdir.read_slots(vault.root).user_slots() if s.user_id == vault.user.id),
        None,
    )
    try:
        if slot is None:
            raise WrongPassphrase()
        keyslots.open_slot(vault.vault_id, slot, old.encode())
    except WrongPassphrase as exc:
        raise ValidationError("passphrase", _("The current passphrase is not correct.")) from exc
    if vault.private_key is None:  # a legacy slot: this is the moment to give it a key pair
        vault._private = bytearray(
            vaultdir.enroll(
                vault.root,
                vault.unlocked_key(),
                user_id=vault.user.id,
                login=vault.user.login,
                passphrase=new,
                kdf=vault.kdf,
                clinical=vault.holds_clinical_key,
            )
        )
    else:
        vaultdir.set_passphrase(
            vault.root,
            vault.unlocked_key(),
            user_id=vault.user.id,
            login=vault.user.login,
            passphrase=new,
            kdf=vault.kdf,
        )
    with vault.session() as s:
        audit.record(s, audit.PASSPHRASE_CHANGE, object_type="user", object_id=vault.user.id)


def remove_user(vault: OpenVault, login: str) -> None:
    """Their slots go (passphrase and remembered); their records and audit entries stay."""
    require(vault.user.role, "manage_users")
    if login == vault.user.login:
        raise ValidationError("login", _("You cannot remove yourself."))
    with vault.session() as s:
        user = s.scalar(select(User).where(User.login == login, User.active.is_(True)))
        if user is None:
            raise ValidationError("login", _("No active user “{login}”.").format(login=login))
        if user.role == ADMIN:
            admins = s.scalar(
                select(func.count())
                .select_from(User)
                .where(User.role == ADMIN, User.active.is_(True))
            )
            if admins <= 1:
                raise ValidationError("login", _("The last admin cannot be removed."))
        user.active = False
        slots = vaultdir.read_slots(vault.root).without(lambda k: k.user_id == user.id)
        save_slot_file(VaultPaths(vault.root).keys, slots)
        audit.record(s, audit.USER_REMOVED, object_type="user", object_id=user.id)


@keeping_keys
def regenerate_recovery_code(vault: OpenVault) -> str:
    """A new code replaces the old one, which stops working at once. Shown once: print it."""
    require(vault.user.role, "manage_users")
    code = new_recovery_code()
    holder = vault.unlocked_key()
    slots = vaultdir.read_slots(vault.root)
    generations = holder.generations(slots)
    slots = slots.without(lambda k: k.kind == keyslots.KIND_RECOVERY)
    private, public = recipients.new_identity()
    slots = slots.with_slot(
        seal(
            vault.vault_id,
            private,
            normalize_recovery_code(code).encode(),
            kind=keyslots.KIND_RECOVERY,
            kdf=vault.kdf,
            public=public,
        )
    )
    slots = vaultdir.seal_keys(
        slots, keyslots.RECOVERY, public, holder.dek, generations, clinical=True
    )
    save_slot_file(VaultPaths(vault.root).keys, slots)
    with vault.session() as s:
        audit.record(s, audit.RECOVERY_REGENERATED, object_type="vault", object_id=vault.vault_id)
    return code


@keeping_keys
def rotate_data_key(vault: OpenVault, progress=None) -> None:
    """New database key and new clinical key, sealed to everyone who remains (after someone
    with access left): an old copy of the key file opens nothing written after this.

    The vault is closed while it runs: no other session may write between the copy and the
    swap. A crash at any moment leaves the old or the new database, both openable.
    """
    require(vault.user.role, "manage_users")
    root = Path(vault.root)
    waiting = [
        s.login or _("recovery code")
        for s in vaultdir.read_slots(root).legacy_slots()
        if s.kind != keyslots.KIND_KEYRING  # "remember me" is dropped; sign in once to renew
    ]
    if waiting:
        raise ValidationError(
            "rotation",
            _(
                "These keys are still in the old format and would stop working: {names}. Ask "
                "each user to sign in once, and generate a new recovery code, then try again."
            ).format(names="、".join(waiting)),
        )
    old = vault.generation()
    holder = vault.unlocked_key()
    db, vault._db = vault._db, None
    db.dispose()
    new = None
    try:
        new = rotation.rotate(root, holder, old, reseal_copy, progress)
    except Exception as exc:
        from app.storage_errors import storage_error

        fault = storage_error(exc, root)
        if fault is None:
            raise
        raise fault from exc
    finally:
        for gen in (g for g in (new, old) if g is not None):
            try:
                vault._db = open_database(VaultPaths(root).db, gen.db_key)
            except KeyRejected:
                continue
            vault._db.clinical_key = gen.clinical_key
            vault._db_key = bytearray(gen.db_key)
            vault._clinical = bytearray(gen.clinical_key or b"")
            break
    with vault.session() as s:
        audit.record(s, audit.KEY_ROTATED, object_type="vault", object_id=vault.vault_id)


def reseal_copy(path: Path, db_key: bytes, old: bytes | None, new: bytes) -> None:
    """Re-encrypt a copy's clinical fields under the new clinical key, in one transaction."""
    from app.db.copies import raw_connect
    from app.models import Base
    from app.models.fieldcrypt import reseal_connection

    conn = raw_connect(path, db_key)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            reseal_connection(conn, Base.metadata, old, new)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()


@dataclass(frozen=True)
class Handover:
    new_user: UserInfo
    recovery_code: str


def handover(
    vault: OpenVault,
    *,
    departing_login: str,
    new_login: str,
    new_name: str,
    new_passphrase: str,
    role: str = "counselor",
    progress=None,
) -> Handover:
    """When the only counselor leaves: the admin (or someone who opened the vault with the
    recovery code and made themselves a passphrase) hands the archive to the new counselor.

    New user → departing user's slots and seals removed → new recovery code → database and
    clinical keys rotated and sealed to those who remain (an old copy of the key file, with the
    departing user's passphrase or the old recovery code, opens nothing). Each step is audited.
    """
    require(vault.user.role, "manage_users")
    user = add_user(
        vault, login=new_login, display_name=new_name, role=role, passphrase=new_passphrase
    )
    remove_user(vault, departing_login)
    code = regenerate_recovery_code(vault)
    rotate_data_key(vault, progress)
    with vault.session() as s:
        audit.record(
            s,
            audit.HANDOVER,
            object_type="user",
            object_id=user.id,
            detail={"from": departing_login, "to": new_login},
        )
    return Handover(user, code)
