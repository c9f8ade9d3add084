"""Create, unlock and lock a vault: the composition of key slots, the database and the audit log."""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import audit, migrate, open_database
from app.db.engine import Database, check_file, open_here
from app.db.wipe import hold_for, keys_held_by, wipe
from app.errors import (
    UnknownUser,
    ValidationError,
    VaultDamaged,
    VaultExists,
    VaultLocked,
    WalSetAside,
    WrongPassphrase,
)
from app.i18n import _
from app.models import School, User, VaultSetting, new_id
from app.models.user import ROLES
from app.services.permissions import ADMIN, require
from app.services.vault_integrity import (
    damaged,
    is_database_error,
    move_wal_aside,
    sound_without_wal,
)
from app.sync.outbox import install_outbox
from app.vault import rotation, vaultdir
from app.vault.kdf import KdfParams
from app.vault.keyslots import Generation
from app.vault.vaultdir import Unlocked, VaultPaths

CLINICAL_ROLES = frozenset({"admin", "counselor"})  # who holds the clinical key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UserInfo:
    id: str
    login: str
    display_name: str
    role: str


@dataclass
class OpenVault:
    """An unlocked vault. Everything confidential is reached through `session()` until `lock()`."""

    root: Path
    vault_id: str
    user: UserInfo
    _db: Database | None
    _dek: bytearray
    _audit_key: bytes
    kdf: KdfParams = field(default_factory=KdfParams.interactive)
    _db_key: bytearray = field(default_factory=bytearray)  # empty: the vault key itself
    _clinical: bytearray = field(default_factory=bytearray)  # empty: not a clinical holder
    _private: bytearray = field(default_factory=bytearray)  # the user's X25519 private key
    # Every key object this vault opened or copied (app/vault/wipe.py): wiped at lock.
    _held: list = field(default_factory=list)

    @property
    def db(self) -> Database:
        if self._db is None:
            raise VaultLocked()
        return self._db

    @property
    def is_locked(self) -> bool:
        return self._db is None

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        with self.db.session(self.user.id, self._audit_key) as s:
            yield s

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for a use case that only reads (no audit row, no lazy install): deferred,
        and refusing any write."""
        with self.db.session(self.user.id, self._audit_key, read=True) as s:
            yield s

    def keeping(self):
        """Keys opened in this block (by a key operation) are wiped at lock with the rest."""
        return keys_held_by(self._held)

    def _copy(self, buf: bytearray) -> bytes | None:
        """A key as `bytes` for the crypto libraries; kept so that the lock can wipe it."""
        return hold_for(self._held, bytes(buf)) if buf else None

    def unlocked_key(self) -> Unlocked:
        private = self._copy(self._private)
        return Unlocked(
            self.vault_id,
            self._copy(self._dek),
            self.user.id,
            "session",
            (),
            private,
            self.user.id if private else None,
        )

    def generation(self) -> Generation:
        """The keys the open database is under (for copies and rotation only)."""
        return Generation("current", self.database_key(), self._copy(self._clinical))

    @property
    def holds_clinical_key(self) -> bool:
        return bool(self._clinical)

    @property
    def private_key(self) -> bytes | None:
        """This user's private key: opens private notes sealed to them."""
        return self._copy(self._private)

    def database_key(self) -> bytes:
        """The key the database file is encrypted with (for copies and rotation only)."""
        if self._db is None:
            raise VaultLocked()
        return self._copy(self._db_key or self._dek)

    def lock(self) -> None:
        """Audit, close every connection and forget the key (as far as CPython lets us)."""
        if self._db is None:
            return
        with contextlib.suppress(Exception), self.session() as s:
            audit.record(s, audit.LOCK)
        with contextlib.suppress(Exception):  # a full disk must not stop the lock itself
            write_anchor(self)
        self._db.dispose()
        self._db = None
        wipe(self._dek, self._db_key, self._clinical, self._private, self._audit_key, *self._held)
        self._held.clear()
        self._audit_key = b""


ANCHORED = "audit.anchored"  # set at the first anchor: its absence later is tampering


def write_anchor(vault: OpenVault) -> None:
    """Record the audit head outside the database (keys.json), MAC-ed: at lock and backup."""
    import datetime as dt

    from app.vault.anchor import make_anchor

    with vault.session() as s:
        entries, last = audit.head(s)
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    anchor = make_anchor(vault.vault_id, vault._dek, entries, last, at)
    slots = vaultdir.read_slots(vault.root)
    vaultdir.save_slot_file(
        VaultPaths(vault.root).keys, replace(slots, audit_anchor=anchor.to_dict())
    )
    with vault.session() as s:  # from now on a key file without an anchor is refused
        if s.get(VaultSetting, ANCHORED) is None:
            s.add(VaultSetting(key=ANCHORED, value={"v": True}))


def check_anchor(root: Path, vault_key: bytes, db) -> None:
    """At unlock: the log must reach at least as far as it did at the last lock, unchanged."""
    from app.vault.anchor import AuditAnchor, authentic

    slots = vaultdir.read_slots(root)
    if slots.audit_anchor is None:
        with db.session(None, audit.derive_audit_key(vault_key)) as s:
            if s.get(VaultSetting, ANCHORED) is not None:
                raise VaultDamaged(_("the audit anchor was removed from the key file."))
        return  # vaults locked before anchors existed
    try:
        anchor = AuditAnchor.from_dict(slots.audit_anchor)
    except (KeyError, TypeError, ValueError) as exc:
        raise VaultDamaged(_("the audit anchor in the key file is damaged.")) from exc
    if not authentic(slots.vault_id, vault_key, anchor):
        raise VaultDamaged(_("the audit anchor in the key file was altered."))
    with db.session(None, audit.derive_audit_key(vault_key)) as s:
        problem = audit.anchor_problem(s, anchor)
    if problem is not None:
        raise VaultDamaged(problem)


def _install_hooks() -> None:
    """Session hooks every vault transaction runs: change log, sync outbox, warning rules."""
    from app.services.changes import install_change_hook  # they build on this module
    from app.services.risk_evaluation import install_risk_hook

    install_outbox()
    install_risk_hook()
    install_change_hook()


def create_vault(
    root: Path,
    *,
    school_name: str,
    admin_login: str,
    admin_name: str,
    passphrase: str,
    kdf: KdfParams | None = None,
) -> tuple[OpenVault, str]:
    """Create the vault folder; returns the open vault and the recovery code (shown once)."""
    with _keys_of_an_unlock() as held:
        vault, code = _create_vault(
            Path(root), school_name, admin_login, admin_name, passphrase, kdf
        )
    vault._held = held
    return vault, code


def _create_vault(
    root: Path,
    school_name: str,
    admin_login: str,
    admin_name: str,
    passphrase: str,
    kdf: KdfParams | None,
) -> tuple[OpenVault, str]:
    kdf = kdf or KdfParams.interactive()
    paths = VaultPaths(Path(root))
    if paths.exists():
        raise VaultExists(paths.root)
    admin_id = new_id()
    unlocked, code = vaultdir.create_keys(
        paths.root, user_id=admin_id, login=admin_login, passphrase=passphrase, kdf=kdf
    )
    generation = unlocked.generations(vaultdir.read_slots(paths.root))[0]
    try:
        db = open_database(paths.db, generation.db_key, create=True)
        db.clinical_key = generation.clinical_key
        _install_hooks()
        migrate.upgrade(db)
        key = audit.derive_audit_key(unlocked.dek)
        with db.session(admin_id, key) as s:
            s.add(School(name=school_name))
            s.add(User(id=admin_id, login=admin_login, display_name=admin_name, role=ADMIN))
            s.flush()
            audit.record(s, audit.CREATE, object_type="vault", object_id=unlocked.vault_id)
    except BaseException:
        for p in (paths.db, paths.keys, Path(f"{paths.db}-wal"), Path(f"{paths.db}-shm")):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
        raise
    user = UserInfo(admin_id, admin_login, admin_name, ADMIN)
    vault = OpenVault(paths.root, unlocked.vault_id, user, db, bytearray(unlocked.dek), key, kdf)
    vault._db_key = bytearray(generation.db_key)
    vault._clinical = bytearray(generation.clinical_key or b"")
    vault._private = bytearray(unlocked.private or b"")
    return vault, code


def logins(root: Path) -> list[str]:
    """The user names on the unlock screen, read from the slot file (no secret needed)."""
    return vaultdir.read_slots(root).logins()


def unlock(
    root: Path,
    passphrase: str,
    login: str | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> OpenVault:
    with _keys_of_an_unlock() as held:
        unlocked = vaultdir.unlock_with_passphrase(Path(root), passphrase, login, sleep=sleep)
        return _open(Path(root), unlocked, held, passphrase=passphrase)


def unlock_remembered(root: Path, login: str) -> OpenVault | None:
    """Unlock through this computer's keyring slot, if the user chose to be remembered."""
    slot = next((s for s in vaultdir.read_slots(root).user_slots() if s.login == login), None)
    if slot is None or slot.user_id is None:
        return None
    with _keys_of_an_unlock() as held:
        unlocked = vaultdir.unlock_with_keyring(Path(root), slot.user_id)
        return _open(Path(root), unlocked, held) if unlocked else None


@contextlib.contextmanager
def _keys_of_an_unlock() -> Iterator[list]:
    """Every key opened while unlocking goes to the vault's list; if the unlock fails they are
    wiped at once."""
    held: list = []
    try:
        with keys_held_by(held):
            yield held
    except BaseException:
        wipe(*held)
        raise


def reset_passphrase_with_recovery(
    root: Path,
    code: str,
    login: str,
    new_passphrase: str,
    *,
    kdf: KdfParams | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """The recovery code unlocks the vault and replaces one user's passphrase slot (audited)."""
    unlocked = vaultdir.unlock_with_recovery(Path(root), code, sleep=sleep)
    db, _generation = _open_db(Path(root), unlocked)
    key = audit.derive_audit_key(unlocked.dek)
    try:
        with db.session(None, key) as s:
            user = s.scalar(select(User).where(User.login == login, User.active.is_(True)))
            if user is None:
                raise UnknownUser(login)
            # A new key pair: private notes sealed only to the old one stay unreadable.
            vaultdir.enroll(
                Path(root),
                unlocked,
                user_id=user.id,
                login=login,
                passphrase=new_passphrase,
                kdf=kdf or KdfParams.interactive(),
                clinical=user.role in CLINICAL_ROLES,
            )
            audit.record(s, audit.RECOVERY_RESET, object_type="user", object_id=user.id)
    finally:
        db.dispose()


def keeping_keys(func):
    """For a key operation on an open vault: keys it opens or makes are wiped at the lock."""

    @functools.wraps(func)
    def wrapper(vault: OpenVault, *args, **kwargs):
        with vault.keeping():
            return func(vault, *args, **kwargs)

    return wrapper


@keeping_keys
def add_user(
    vault: OpenVault, *, login: str, display_name: str, role: str, passphrase: str
) -> UserInfo:
    require(vault.user.role, "manage_users")
    from app.services.passphrase import require_acceptable

    require_acceptable(passphrase, (login, display_name))
    if role not in ROLES:
        raise ValidationError("role", _("Unknown role."))
    if not login.strip():
        raise ValidationError("login", _("Please enter a user name."))
    if login in vaultdir.read_slots(vault.root).logins():
        raise ValidationError(
            "login", _("The user name “{login}” is already taken.").format(login=login)
        )
    with vault.session() as s:
        user = User(login=login, display_name=display_name, role=role)
        s.add(user)
        s.flush()
        vaultdir.enroll(
            vault.root,
            vault.unlocked_key(),
            user_id=user.id,
            login=login,
            passphrase=passphrase,
            kdf=vault.kdf,
            clinical=role in CLINICAL_ROLES,
        )
        audit.record(s, audit.CREATE, object_type="user", object_id=user.id)
        return UserInfo(user.id, user.login, user.display_name, user.role)


def verify_passphrase(
    vault: OpenVault, passphrase: str, *, sleep: Callable[[float], None] = time.sleep
) -> bool:
    """Step-up check (leaving the kiosk): does this passphrase open a slot of a non-viewer user?"""
    try:
        unlocked = vaultdir.unlock_with_passphrase(vault.root, passphrase, None, sleep=sleep)
    except WrongPassphrase:
        return False
    with vault.session() as s:
        user = s.get(User, unlocked.user_id)
        return user is not None and user.active and user.role != "viewer"


def list_users(vault: OpenVault) -> list[UserInfo]:
    with vault.session() as s:
        rows = s.scalars(select(User).where(User.active.is_(True)).order_by(User.created_at))
        return [UserInfo(u.id, u.login, u.display_name, u.role) for u in rows]


def _open_db(root: Path, unlocked: Unlocked) -> tuple[Database, Generation]:
    """Open with the current database key, or finish a rotation a crash interrupted.

    Every page's HMAC and the b-trees are checked first: a damaged vault is reported (restore
    from a backup), never opened half-way, recreated or written to.
    """
    from app.db.copies import first_key_that_opens, integrity_problems
    from app.db.wal import wal_damage
    from app.storage_errors import check_writable

    _install_hooks()
    paths = VaultPaths(root)
    slots = vaultdir.read_slots(root)
    generations = unlocked.generations(slots)
    if open_here(paths.db):
        return _open_again(paths, generations)
    check_file(paths.db)
    check_writable(paths.root)
    wal = Path(f"{paths.db}-wal")
    if wal_damage(wal) is not None:
        raise VaultDamaged(
            _(
                "the log of recent changes beside it (archive.db-wal) is damaged, and opening "
                "it would silently lose saved work."
            )
        )
    candidates = [(g.state, g.db_key) for g in generations]
    found = first_key_that_opens(paths.db, candidates)
    # The key opens the file and its schema pages authenticate. Every page's HMAC is checked
    # here only after an unclean shutdown (a WAL is left): its frames may not belong to this
    # file. Otherwise the whole-file check runs after unlock, in the background
    # (`check_integrity`), and with each backup — it took seconds on a large school's file.
    if found is None:
        problems = ["no key opens it"]
    elif wal.exists():
        problems = integrity_problems(paths.db, found[1], structure=False)
    else:
        problems = []
    if problems and wal.exists() and sound_without_wal(paths.db, candidates):
        raise WalSetAside(move_wal_aside(paths).name)
    if found is None:
        raise VaultDamaged(_("the archive database does not match its key file."))
    state, key = found
    if problems:
        raise VaultDamaged(
            _("the archive database failed its integrity check; restore it from a backup.")
        )
    generation = next(g for g in generations if g.state == state)
    db = open_database(paths.db, key)
    db.clinical_key = generation.clinical_key
    try:
        migrate.upgrade(db)
    except BaseException:
        db.dispose()
        raise
    rotation.finish(root, slots, state)
    return db, generation


def _open_again(paths: VaultPaths, generations) -> tuple[Database, Generation]:
    """A second view of a file this process already holds open (another user's session in the
    same process): checked when first opened; the key must be the one it is open with."""
    from app.db import KeyRejected

    for g in generations:
        try:
            db = open_database(paths.db, g.db_key)
        except KeyRejected:
            continue
        db.clinical_key = g.clinical_key
        return db, g
    raise VaultDamaged(_("the archive database does not match its key file."))


def open_unlocked(root: Path, unlocked: Unlocked) -> OpenVault:
    """Open with an unlock made by the caller (a restore's checks, a restored copy)."""
    return _open(Path(root), unlocked, [])


def _adopt_local_scales(s) -> None:
    """Release 0.1 kept city and licensed scales per computer, outside the vault: the first
    unlock with this release keeps them in the vault, where backups and restores carry them."""
    from app.db import scalestore
    from app.scales.library import legacy_dir

    added = scalestore.adopt_folder(s, legacy_dir())
    if added:
        audit.record(s, audit.UPDATE, object_type="scales", detail={"adopted": added})


def _open(
    root: Path, unlocked: Unlocked, held: list, *, passphrase: str | None = None
) -> OpenVault:
    """Open and check; a damaged page met on the way (the whole-file check now runs after
    unlock) is reported as the damage it is, never as an unexpected error."""
    try:
        return _open_checked(root, unlocked, held, passphrase=passphrase)
    except Exception as exc:
        if not is_database_error(exc) or not damaged(root, unlocked):
            raise
        raise VaultDamaged(
            _("the archive database failed its integrity check; restore it from a backup.")
        ) from exc


def _open_checked(
    root: Path, unlocked: Unlocked, held: list, *, passphrase: str | None = None
) -> OpenVault:
    db, generation = _open_db(root, unlocked)
    try:
        return _open_on(root, unlocked, held, db, generation, passphrase)
    except BaseException:
        db.dispose()
        raise


def _open_on(
    root: Path, unlocked: Unlocked, held: list, db: Database, generation, passphrase
) -> OpenVault:
    check_anchor(root, unlocked.dek, db)
    key = audit.derive_audit_key(unlocked.dek)
    with db.session(unlocked.user_id, key) as s:
        row = s.get(User, unlocked.user_id)
        if row is None or not row.active:
            db.dispose()
            raise UnknownUser(str(unlocked.user_id))
        user = UserInfo(row.id, row.login, row.display_name, row.role)
        for failure in unlocked.failed_attempts:
            audit.record(
                s,
                audit.UNLOCK_FAILED,
                actor_id=None,
                detail={"at": failure.get("at"), "login": failure.get("login")},
            )
        audit.record(
            s, audit.UNLOCK, object_type="user", object_id=user.id, detail={"via": unlocked.via}
        )
        _adopt_local_scales(s)
    log.info("unlocked vault %s as %s via %s", unlocked.vault_id[:8], user.role, unlocked.via)
    if unlocked.private is None and passphrase is not None and unlocked.user_id is not None:
        from app.services.key_upgrade import convert_legacy_slot

        try:
            unlocked, generation = convert_legacy_slot(
                root, db, unlocked, user, passphrase, generation.state
            )
        except OSError:
            log.warning("could not convert a legacy key slot (read-only folder?)")
    if user.role in CLINICAL_ROLES and generation.clinical_key is None and unlocked.private:
        db.dispose()
        raise VaultDamaged(_("the key file holds no clinical key for this user."))
    db.clinical_key = generation.clinical_key if user.role in CLINICAL_ROLES else None
    vault = OpenVault(root, unlocked.vault_id, user, db, bytearray(unlocked.dek), key)
    vault._db_key = bytearray(generation.db_key)
    vault._clinical = bytearray(db.clinical_key or b"")
    vault._private = bytearray(unlocked.private or b"")
    vault._held = held
    return vault


def get_setting(vault: OpenVault, key: str, default):
    with vault.session() as s:
        return get_setting_in(s, key, default)


def get_setting_in(s: Session, key: str, default):
    row = s.get(VaultSetting, key)
    return row.value.get("v", default) if row else default


def set_setting(vault: OpenVault, key: str, value) -> None:
    require(vault.user.role, "change_settings")
    with vault.session() as s:
        set_setting_in(s, key, value)


def set_setting_in(s: Session, key: str, value) -> None:
    """In the caller's transaction, audited (the caller has checked who may)."""
    row = s.get(VaultSetting, key)
    if row is None:
        s.add(VaultSetting(key=key, value={"v": value}))
    else:
        row.value = {"v": value}
    audit.record(s, audit.UPDATE, object_type="setting", detail={"key": key})
