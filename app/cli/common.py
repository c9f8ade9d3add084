"""What every command shares: finding the vault, asking for secrets, unlocking, printing JSON."""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

from app.errors import AppError
from app.i18n import _

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2


def vault_path(args) -> Path:
    path = args.vault or os.environ.get("XINDANG_VAULT")
    if not path:
        from app.paths import default_vault_dir

        return default_vault_dir()
    return Path(path)


def ask_passphrase(prompt: str) -> str:
    value = os.environ.get("XINDANG_PASSPHRASE")
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise AppError(_("No passphrase: set XINDANG_PASSPHRASE or run in a terminal."))
    return getpass.getpass(prompt)


def new_passphrase() -> str:
    value = os.environ.get("XINDANG_PASSPHRASE")
    if value is None:
        value = ask_passphrase(_("New passphrase: "))
        if getpass.getpass(_("Repeat passphrase: ")) != value:
            raise AppError(_("The two passphrases differ."))
    from app.services.passphrase import require_acceptable

    require_acceptable(value)
    return value


def unlock_vault(args):
    from app.services import vaults

    login = getattr(args, "user", None) or os.environ.get("XINDANG_USER")
    return vaults.unlock(vault_path(args), ask_passphrase(_("Passphrase: ")), login)


def print_json(doc) -> None:
    print(json.dumps(doc, ensure_ascii=False, indent=1))


def new_secret(prompt: str) -> str:
    new = os.environ.get("XINDANG_NEW_PASSPHRASE")
    if new is None:
        if not sys.stdin.isatty():
            raise AppError(_("No new passphrase: set XINDANG_NEW_PASSPHRASE."))
        new = getpass.getpass(prompt)
    return new
