"""The optional "remember on this computer" secret in the OS keyring.

Only a secure backend counts. On headless Linux there is none; we then say why and never fall
back to a file (keyrings.alt-style plaintext backends are refused).
"""

from __future__ import annotations

import base64
import os

from app.i18n import _

SERVICE = "XinDang"
_INSECURE = ("keyrings.alt", "fail", "null", "chainer")


def keyring_status() -> tuple[bool, str]:
    """(usable, reason shown to the user when not)."""
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # keyring is optional at run time
        return False, _("The OS key store library is not installed.")
    try:
        backend = keyring.get_keyring()
    except Exception:
        return False, _("No secure OS key store is available on this computer.")
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return False, _("No secure OS key store is available on this computer.")
    module = type(backend).__module__
    if any(part in module for part in _INSECURE):
        return False, _("The OS key store on this computer is not secure enough.")
    return True, ""


def backend_name() -> str:
    try:
        import keyring

        b = keyring.get_keyring()
        return f"{type(b).__module__}.{type(b).__name__}"
    except Exception as exc:  # report, never crash, in diagnostics
        return f"unavailable ({type(exc).__name__})"


def _account(vault_id: str, user_id: str) -> str:
    return f"vault:{vault_id}:user:{user_id}"


def store_secret(vault_id: str, user_id: str) -> bytes:
    """Create a new random secret in the keyring and return it (to seal a slot with)."""
    import keyring

    secret = os.urandom(32)
    keyring.set_password(SERVICE, _account(vault_id, user_id), base64.b64encode(secret).decode())
    return secret


def load_secret(vault_id: str, user_id: str) -> bytes | None:
    try:
        import keyring

        value = keyring.get_password(SERVICE, _account(vault_id, user_id))
    except Exception:
        return None
    return base64.b64decode(value) if value else None


def forget_secret(vault_id: str, user_id: str) -> None:
    try:
        import keyring

        keyring.delete_password(SERVICE, _account(vault_id, user_id))
    except Exception:
        pass
