"""JSON documents kept in the vault — rule sets, sync policies, record bodies — carry a schema
number and are brought up to the current one, step by step, when read.

A document written by an older release is upgraded (each step a pure function from schema n to
n + 1, kept for ever); one written by a newer release is refused rather than misread, since
guessing at a future format could drop a field a counselor relies on."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping

from app.errors import AppError
from app.i18n import _

SCHEMA_KEY = "schema"

Steps = Mapping[int, Callable[[dict], dict]]


class NewerDocument(AppError):
    """Written by a newer XinDang than this one."""

    def __init__(self, what: str, found: int, known: int) -> None:
        self.what, self.found, self.known = what, found, known
        super().__init__(
            _(
                "This {what} was saved by a newer version of XinDang (format {found}; this copy "
                "reads up to {known}). Update XinDang on this computer first."
            ).format(what=what, found=found, known=known)
        )


def schema_of(doc: Mapping) -> int:
    """A document from before schema numbers is schema 1."""
    value = doc.get(SCHEMA_KEY, 1)
    return value if isinstance(value, int) and value >= 1 else 1


def upgraded(doc: dict, current: int, steps: Steps, what: str) -> dict:
    """`doc` at schema `current` (a copy when anything changed; the input is never modified)."""
    found = schema_of(doc)
    if found > current:
        raise NewerDocument(what, found, current)
    if found == current and doc.get(SCHEMA_KEY) == current:
        return doc
    out = stepped(doc, found, current, steps)
    out[SCHEMA_KEY] = current
    return out


def stepped(doc: dict, found: int, current: int, steps: Steps) -> dict:
    """The steps from `found` to `current` applied to a copy of `doc` (whose schema number is
    kept elsewhere, as a record body's is in its row)."""
    out = copy.deepcopy(doc)
    for n in range(found, current):
        out = steps[n](out)
    return out
