"""Private process notes: sealed to their author, and to the admins only if the school says so.

The clinical key already keeps them from the principal; this keeps them from the other
counselors too, at rest: the note's text is encrypted under a key of its own, sealed to the
author's public key (and, with the setting `private_notes_admin_access`, to each admin's and
the recovery code's). A note written while the setting was off stays the author's alone.
"""

from __future__ import annotations

import base64
import json
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.db.wipe import wipe
from app.i18n import _
from app.models import User
from app.services.permissions import ADMIN
from app.vault import recipients, vaultdir
from app.vault.keyslots import RECOVERY

SETTING = "private_notes_admin_access"
_AAD = b"xindang private note v1"


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _unb64(s: str) -> bytes:
    return base64.b64decode(s.encode("ascii"))


def _recipients(vault, s) -> dict[str, bytes]:
    from app.services.vaults import get_setting_in

    keys = vaultdir.read_slots(vault.root).recipients()
    out = {vault.user.id: keys[vault.user.id]} if vault.user.id in keys else {}
    if get_setting_in(s, SETTING, False):
        admins = {u.id for u in s.query(User).filter(User.role == ADMIN, User.active.is_(True))}
        out |= {name: pub for name, pub in keys.items() if name in admins or name == RECOVERY}
    return out


def seal(vault, s, body: dict) -> dict:
    """The body of a private note, as stored: its text sealed to its readers."""
    if vault.private_key is None:
        return body  # a legacy slot has no key pair yet (converted at its next unlock)
    key = os.urandom(32)
    nonce = os.urandom(12)
    plain = json.dumps(body, ensure_ascii=False).encode("utf-8")
    entries = []
    try:
        for name, public in _recipients(vault, s).items():
            box = recipients.seal(public, key, _AAD + name.encode())
            entries.append(
                {
                    "r": name,
                    "epk": _b64(box.epk),
                    "nonce": _b64(box.nonce),
                    "ct": _b64(box.ciphertext),
                }
            )
        ct = AESGCM(key).encrypt(nonce, plain, _AAD)
    finally:
        wipe(key)
    return {"_private": {"nonce": _b64(nonce), "ct": _b64(ct), "to": entries}}


def readable(vault, private: bool, body: dict) -> dict:
    """What this user may read of a note: its body, or a line saying it is sealed to others."""
    envelope = body.get("_private") if private and isinstance(body, dict) else None
    if not isinstance(envelope, dict):
        return dict(body)
    entry = next((e for e in envelope.get("to", ()) if e.get("r") == vault.user.id), None)
    if entry is None or vault.private_key is None:
        return {"text": _("(Only the author can read this private note.)")}
    box = recipients.Box(_unb64(entry["epk"]), _unb64(entry["nonce"]), _unb64(entry["ct"]))
    key = recipients.open_box(vault.private_key, box, _AAD + vault.user.id.encode())
    try:
        plain = AESGCM(key).decrypt(_unb64(envelope["nonce"]), _unb64(envelope["ct"]), _AAD)
    finally:
        wipe(key)
    return json.loads(plain)
