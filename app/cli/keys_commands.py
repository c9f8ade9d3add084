"""Key and backup commands: passphrase, recovery code, database key, handover, backup, restore."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import EXIT_OK, ask_passphrase, new_secret, unlock_vault, vault_path
from app.errors import AppError
from app.i18n import _


def cmd_user_remove(args) -> int:
    from app.services import keys

    vault = unlock_vault(args)
    try:
        keys.remove_user(vault, args.login)
    finally:
        vault.lock()
    print(_("User {login} removed; their records stay.").format(login=args.login))
    return EXIT_OK


def cmd_passphrase_change(args) -> int:
    from app.services import keys

    old = ask_passphrase(_("Passphrase: "))
    vault = unlock_vault(args)
    try:
        keys.change_passphrase(vault, old, new_secret(_("New passphrase: ")))
    finally:
        vault.lock()
    print(_("Passphrase changed."))
    return EXIT_OK


def cmd_recovery_regenerate(args) -> int:
    from app.services import keys

    vault = unlock_vault(args)
    try:
        code = keys.regenerate_recovery_code(vault)
    finally:
        vault.lock()
    print(_("New recovery code (the old one no longer works; print it and keep it safe):"))
    print(code)
    return EXIT_OK


def cmd_rotate_key(args) -> int:
    from app.services import keys

    vault = unlock_vault(args)
    try:
        keys.rotate_data_key(vault)
    finally:
        vault.lock()
    print(_("The database was re-encrypted with a new key."))
    return EXIT_OK


def cmd_handover(args) -> int:
    from app.services import keys

    vault = unlock_vault(args)
    try:
        result = keys.handover(
            vault,
            departing_login=args.departing,
            new_login=args.login,
            new_name=args.name or args.login,
            new_passphrase=new_secret(_("New user's passphrase: ")),
        )
    finally:
        vault.lock()
    print(_("The archive now belongs to {login}. New recovery code:").format(login=args.login))
    print(result.recovery_code)
    return EXIT_OK


def cmd_backup(args) -> int:
    from app.services import backups, vaults

    vault = unlock_vault(args)
    try:
        folder = args.to or vaults.get_setting(vault, "backup_folder", None)
        if not folder:
            raise AppError(_("No backup folder: give --to or set one in Settings."))
        info = backups.backup(vault, Path(folder), keep=args.keep)
    finally:
        vault.lock()
    print(_("Backup written and verified: {path}").format(path=info.path))
    return EXIT_OK


def cmd_backup_verify(args) -> int:
    from app.services import backups

    manifest = backups.verify_backup(Path(args.path), ask_passphrase(_("Passphrase: ")), args.user)
    print(
        _("Backup verified: {n} students, made {when}.").format(
            n=manifest["students"], when=manifest["created_at"]
        )
    )
    return EXIT_OK


def cmd_restore(args) -> int:
    from app.services import backups

    aside = backups.restore(
        Path(args.path),
        vault_path(args),
        ask_passphrase(_("Passphrase: ")),
        getattr(args, "user", None),
        other_vault=args.other_vault,
    )
    print(_("Restored from {path}.").format(path=args.path))
    if aside:
        print(_("The previous files were kept in {path}.").format(path=aside))
    return EXIT_OK


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("passphrase", parents=[common], help=_("change your passphrase"))
    psub = p.add_subparsers(dest="passphrase_command", required=True)
    x = psub.add_parser(
        "change",
        parents=[common],
        help=_("old from XINDANG_PASSPHRASE, new from XINDANG_NEW_PASSPHRASE"),
    )
    x.set_defaults(func=cmd_passphrase_change)
    p = sub.add_parser("recovery", parents=[common], help=_("the recovery code"))
    rsub2 = p.add_subparsers(dest="recovery_command", required=True)
    x = rsub2.add_parser("regenerate", parents=[common], help=_("make a new recovery code"))
    x.set_defaults(func=cmd_recovery_regenerate)
    p = sub.add_parser(
        "rotate-key", parents=[common], help=_("re-encrypt the database with a new key")
    )
    p.set_defaults(func=cmd_rotate_key)
    p = sub.add_parser("handover", parents=[common], help=_("hand the archive to a new counselor"))
    p.add_argument("--from", dest="departing", required=True, help=_("the departing user"))
    p.add_argument("--login", required=True, help=_("the new counselor's user name"))
    p.add_argument("--name")
    p.set_defaults(func=cmd_handover)
    p = sub.add_parser("backup", parents=[common], help=_("write and verify an encrypted backup"))
    p.add_argument("--to", help=_("backup folder (default: the one set in Settings)"))
    p.add_argument("--keep", type=int, default=10, help=_("how many backups to keep"))
    p.set_defaults(func=cmd_backup)
    bsub = p.add_subparsers(dest="backup_command")
    x = bsub.add_parser("verify", parents=[common], help=_("verify a backup folder"))
    x.add_argument("path")
    x.set_defaults(func=cmd_backup_verify)
    p = sub.add_parser("restore", parents=[common], help=_("restore a verified backup"))
    p.add_argument("path")
    p.add_argument(
        "--other-vault", action="store_true", help=_("allow a backup of a different archive")
    )
    p.set_defaults(func=cmd_restore)
