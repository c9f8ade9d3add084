"""Every field of keys.json, altered one at a time: the unlock refuses by name, or (for the two
hints that carry no authority) opens exactly as before. Never a crash, never another user."""

import base64
import json
import shutil

import pytest

from app.errors import UnknownUser, VaultDamaged, WrongPassphrase
from app.services import vaults
from tests.conftest import PASSPHRASE

# Fields whose change cannot grant anything: a rotation's state only orders the keys tried; the
# anchor's time is covered by its MAC. Everything else must be refused.
HINTS = {"state", "at"}


def _leaves(doc, path=()):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _leaves(v, (*path, i))
    else:
        yield path, doc


def _altered(value):
    if isinstance(value, bool) or value is None:
        return "x"
    if isinstance(value, int):
        return value + 1
    try:
        raw = bytearray(base64.b64decode(value, validate=True))
        if raw:
            raw[-1] ^= 1
            return base64.b64encode(bytes(raw)).decode()
    except (ValueError, TypeError):
        pass
    return value[:-1] + ("0" if value[-1:] != "0" else "1") if value else "x"


def _set(doc, path, value):
    for p in path[:-1]:
        doc = doc[p]
    doc[path[-1]] = value


SLOT_FIELDS = (
    "id",
    "kind",
    "user_id",
    "login",
    "salt",
    "nonce",
    "ciphertext",
    "created",
    "aad",
    "public",
    "kdf.alg",
    "kdf.m",
    "kdf.t",
    "kdf.p",
)
SEAL_FIELDS = ("secret", "key_id", "state", "recipient", "public", "epk", "nonce", "ciphertext")


CASES = [
    "format",
    "version",
    "vault_id",
    *[f"slots.{i}.{f}" for i in (0, 1) for f in SLOT_FIELDS],
    *[f"seals.{i}.{f}" for i in range(6) for f in SEAL_FIELDS],
    *[f"audit_anchor.{f}" for f in ("entries", "head", "at", "mac")],
]


@pytest.mark.parametrize("field", CASES)
def test_an_altered_key_file_field_is_refused_or_harmless(field, vault_templates, tmp_path):
    root = tmp_path / "v"
    shutil.copytree(vault_templates / "empty", root)
    path = tuple(int(p) if p.isdigit() else p for p in field.split("."))
    before = vaults.unlock(root, PASSPHRASE, "admin")
    same_key = bytes(bytearray(before.database_key()))  # the lock wipes the vault's own
    before.lock()
    doc = json.loads((root / "keys.json").read_text("utf-8"))
    original = json.loads((root / "keys.json").read_text("utf-8"))
    node = doc
    for p in path[:-1]:
        node = node[p]
    assert path[-1] in node, f"{field} is not in the key file"
    _set(doc, path, _altered(node[path[-1]]))
    (root / "keys.json").write_text(json.dumps(doc), "utf-8")
    try:
        opened = vaults.unlock(root, PASSPHRASE, "admin", sleep=lambda _s: None)
    except (VaultDamaged, WrongPassphrase, UnknownUser):
        return  # refused, with a message the unlock screen shows in Chinese
    try:
        assert path[-1] in HINTS or _is_recovery_slot(original, path), field
        assert opened.user.login == "admin" and opened.database_key() == same_key
    finally:
        opened.lock()


def _is_recovery_slot(doc, path) -> bool:
    """The admin's unlock never reads the recovery slot or seals to others: what matters is
    that the altered entry opens nothing — checked by the recovery tests."""
    if path[0] == "slots":
        return doc["slots"][path[1]].get("kind") != "passphrase" or path[-1] == "kind"
    if path[0] == "seals":
        return doc["seals"][path[1]].get("recipient") == "recovery"
    return False
