"""Domain exceptions. Their `str()` is translated text that is safe to show to a user."""

from __future__ import annotations

from app.i18n import _


class AppError(Exception):
    """An expected failure with a message a teacher can act on."""

    def user_message(self) -> str:
        return str(self)


class Cancelled(Exception):  # noqa: N818 - a control-flow signal, not an error
    """The user cancelled; nothing to report."""


class WrongPassphrase(AppError):
    def __init__(self) -> None:
        super().__init__(_("Wrong passphrase. Please try again."))


class UnknownUser(AppError):
    def __init__(self, login: str) -> None:
        self.login = login
        super().__init__(_("There is no user named “{login}” in this vault.").format(login=login))


class VaultNotFound(AppError):
    def __init__(self, path: object) -> None:
        self.path = path
        super().__init__(_("No vault was found at {path}.").format(path=path))


class VaultExists(AppError):
    def __init__(self, path: object) -> None:
        self.path = path
        super().__init__(
            _("A vault already exists at {path}; it was left untouched.").format(path=path)
        )


class VaultDamaged(AppError):
    """The vault cannot be trusted: plaintext, truncated, missing or corrupted. It is never touched."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(
            _(
                "The vault cannot be opened safely: {reason} It was left untouched; restore it from a backup."
            ).format(reason=reason)
        )


class VaultInUse(AppError):
    """Another XinDang (window or command) has the archive open: the database is held in
    exclusive locking mode while a vault is unlocked."""

    def __init__(self) -> None:
        super().__init__(_("This archive is already open in another XinDang window."))


class WalSetAside(AppError):
    """A write-ahead log that is not this database's was moved aside, untouched; unlock again."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        super().__init__(
            _(
                "A log of changes that does not belong to this archive lay beside it; it was "
                "moved, untouched, to “{folder}”. Unlock again to open the archive as last saved."
            ).format(folder=folder)
        )


class SchemaTooNew(AppError):
    def __init__(self, found: str) -> None:
        self.found = found
        super().__init__(
            _(
                "This vault was written by a newer version of XinDang (schema {found}). Please upgrade XinDang."
            ).format(found=found)
        )


class VaultLocked(AppError):
    def __init__(self) -> None:
        super().__init__(_("The vault is locked."))


class PermissionDenied(AppError):
    def __init__(self, action: str) -> None:
        self.action = action
        super().__init__(_("Your role does not allow this: {action}.").format(action=action))


class KeyringUnavailable(AppError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class ValidationError(AppError):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


class RosterError(AppError):
    """A roster file that cannot be read at all (as opposed to invalid rows in it)."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self.row = row
        self.column = column
        super().__init__(message)
