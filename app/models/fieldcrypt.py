"""Field-level encryption under the clinical key: what the principal's account must not read.

The database key opens the file for every role; the clinical key is sealed only to counselors,
admins and the recovery code. Columns typed here are AES-256-GCM encrypted before SQLite sees
them: session and crisis narratives (the long-text parts of a record's body), diagnosis notes,
item-level answers, warning evidence and notes, group observations, and the change log's copies
of all of them. Lists, counts, search, the risk rules and the sync policy work on the columns
that stay clear (kinds, dates, levels, choices, scores).

Without the key (a viewer's session) a value reads as a *sealed* marker: empty, but truthy where
presence matters (a diagnosis note that exists still counts for the risk rules), and a flush
that would overwrite one is refused — a holder of fewer keys never destroys what they cannot read.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import json
from collections.abc import Iterator
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import JSON, Text, event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from app.errors import VaultDamaged
from app.i18n import _
from app.models.entropy import random_bytes

PREFIX = "xdc1:"
_KEY: contextvars.ContextVar[bytes | None] = contextvars.ContextVar("clinical_key", default=None)


class ClinicalKeyMissing(Exception):
    """A write would replace clinical data this session cannot read (no clinical key)."""


class ClinicalDataDamaged(VaultDamaged):
    """A clinical value failed authentication under the key that should open it."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        super().__init__(_("a confidential field ({field}) failed its check.").format(field=tag))


class SealedText(str):
    """A clinical text this session has no key for: reads empty, counts as present."""

    def __bool__(self) -> bool:
        return True


class SealedList(list):
    """Clinical list data this session cannot read."""


class SealedDict(dict):
    """A body whose clinical parts this session cannot read (its clear parts are here)."""


SEALED = (SealedText, SealedList, SealedDict)


@contextlib.contextmanager
def clinical_key(key: bytes | None) -> Iterator[None]:
    token = _KEY.set(key)
    try:
        yield
    finally:
        _KEY.reset(token)


def current_key() -> bytes | None:
    return _KEY.get()


def _encrypt(key: bytes, tag: str, plain: bytes) -> str:
    nonce = random_bytes(12)
    ct = AESGCM(key).encrypt(nonce, plain, b"xindang clinical|" + tag.encode())
    return PREFIX + base64.b64encode(nonce + ct).decode("ascii")


def _decrypt(key: bytes, tag: str, token: str) -> bytes:
    raw = base64.b64decode(token[len(PREFIX) :])
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], b"xindang clinical|" + tag.encode())
    except InvalidTag as exc:
        raise ClinicalDataDamaged(tag) from exc


def _sealed(token) -> bool:
    return isinstance(token, str) and token.startswith(PREFIX)


class _Clinical(TypeDecorator):
    """Shared by the column types below: `tag` names the column in the associated data."""

    cache_ok = True

    def __init__(self, tag: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tag = tag

    # stored <-> plain, without SQLAlchemy (also used by the re-encryption pass)
    def seal_value(self, value, key: bytes):
        raise NotImplementedError

    def open_value(self, stored, key: bytes | None):
        raise NotImplementedError

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, SEALED):
            raise ClinicalKeyMissing(self.tag)
        key = _KEY.get()
        if key is None:
            raise ClinicalKeyMissing(self.tag)
        return self.seal_value(value, key)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return self.open_value(value, _KEY.get())


class ClinicalText(_Clinical):
    impl = Text
    cache_ok = True

    def seal_value(self, value, key):
        return _encrypt(key, self.tag, str(value).encode("utf-8"))

    def open_value(self, stored, key):
        if not _sealed(stored):
            return stored  # written before field encryption; sealed at the next pass
        if key is None:
            return SealedText("")
        return _decrypt(key, self.tag, stored).decode("utf-8")


class ClinicalJSON(_Clinical):
    """A whole JSON value (answers, evidence). `clear_without_key`: stored as is when the writer
    holds no clinical key (the change log of a viewer's own edits, which carry nothing clinical)."""

    impl = JSON
    cache_ok = True

    def __init__(
        self, tag: str, *args, clear_without_key: bool = False, shape: type = list, **kwargs
    ):
        super().__init__(tag, *args, **kwargs)
        self.clear_without_key = clear_without_key
        self.shape = shape

    def process_bind_param(self, value, dialect):
        if value is not None and _KEY.get() is None and self.clear_without_key:
            if _contains_sealed(value):
                raise ClinicalKeyMissing(self.tag)
            return value
        return super().process_bind_param(value, dialect)

    def seal_value(self, value, key):
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
        return {"xdc1": _encrypt(key, self.tag, plain.encode("utf-8"))}

    def open_value(self, stored, key):
        if not (isinstance(stored, dict) and set(stored) == {"xdc1"}):
            return stored
        if key is None:
            return SealedDict() if self.shape is dict else SealedList()
        return json.loads(_decrypt(key, self.tag, stored["xdc1"]))


class ClinicalBody(_Clinical):
    """A record's body: its long-text parts (narratives, notes, template sections) are sealed
    together; choices, dates, numbers and the risk screen stay clear for lists and rules."""

    impl = JSON
    cache_ok = True

    def seal_value(self, value, key):
        clinical = clinical_body_keys()
        secret = {k: v for k, v in value.items() if k in clinical}
        out = {k: v for k, v in value.items() if k not in clinical}
        if secret:
            plain = json.dumps(secret, ensure_ascii=False, separators=(",", ":"), default=str)
            out["xdc1"] = _encrypt(key, self.tag, plain.encode("utf-8"))
        return out

    def process_bind_param(self, value, dialect):
        plain = isinstance(value, dict) and not isinstance(value, SealedDict)
        if plain and not (set(value) & clinical_body_keys()):
            return dict(value)  # nothing clinical in it: no key needed
        return super().process_bind_param(value, dialect)

    def open_value(self, stored, key):
        if not (isinstance(stored, dict) and "xdc1" in stored):
            return stored
        clear = {k: v for k, v in stored.items() if k != "xdc1"}
        if key is None:
            return SealedDict(clear)
        return {**clear, **json.loads(_decrypt(key, self.tag, stored["xdc1"]))}


def _contains_sealed(value) -> bool:
    if isinstance(value, SEALED):
        return True
    if isinstance(value, dict):
        return any(_contains_sealed(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_contains_sealed(v) for v in value)
    return False


@cache
def clinical_body_keys() -> frozenset[str]:
    from app.records.kinds import KINDS

    keys = {f.key for k in KINDS.values() for f in k.fields if f.type == "longtext"}
    return frozenset(keys | {"sections", "_private"})


def clinical_columns(metadata) -> list[tuple[str, str, _Clinical]]:
    """(table, column, type) of every clinical column, for the re-encryption pass."""
    return [
        (table.name, column.name, column.type)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, _Clinical)
    ]


def reseal_connection(conn, metadata, old: bytes | None, new: bytes) -> int:
    """Re-encrypt every clinical value under `new` on a raw sqlcipher3 connection (one
    transaction; the caller commits). `old=None`: values are plaintext from before field
    encryption. Returns how many values were rewritten."""
    count = 0
    for table, column, ctype in clinical_columns(metadata):
        rows = conn.execute(
            f'SELECT rowid, "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'
        ).fetchall()
        for rowid, stored in rows:
            value = json.loads(stored) if isinstance(ctype.impl_instance, JSON) else stored
            if value is None:
                continue
            plain = ctype.open_value(value, old)
            if isinstance(plain, SEALED):
                raise ClinicalKeyMissing(f"{table}.{column}")
            sealed = ctype.seal_value(plain, new)
            if isinstance(ctype, ClinicalBody) and not isinstance(sealed, dict):
                continue
            out = json.dumps(sealed, ensure_ascii=False) if isinstance(sealed, dict) else sealed
            conn.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', (out, rowid))
            count += 1
    return count


def plaintext_values(conn, metadata) -> list[tuple[str, str]]:
    """(table, column) of each clinical value still stored in the clear."""
    out = []
    """How many clinical values are still stored in the clear (written before this version)."""
    for table, column, ctype in clinical_columns(metadata):
        for (stored,) in conn.execute(
            f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'
        ):
            value = json.loads(stored) if isinstance(ctype.impl_instance, JSON) else stored
            if value is None:
                continue
            if isinstance(ctype, ClinicalText):
                clear = not _sealed(value)
            elif isinstance(ctype, ClinicalBody):
                clear = bool(set(value) & clinical_body_keys())
            else:
                clear = not (isinstance(value, dict) and set(value) == {"xdc1"})
            if clear:
                out.append((table, column))
    return out


def _refuse_overwrite(session: Session, _ctx, _instances) -> None:
    """A session without the clinical key may change a row's clear columns only."""
    for obj in session.dirty:
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            if not isinstance(attr.columns[0].type, _Clinical):
                continue
            hist = state.attrs[attr.key].history
            if hist.added and any(isinstance(v, SEALED) for v in hist.deleted):
                raise ClinicalKeyMissing(attr.key)


_installed = False


def install_overwrite_guard() -> None:
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _refuse_overwrite)
        _installed = True
