"""Drafts: a form's typing kept inside the encrypted vault when the vault locks under it.

The idle lock must close every window that shows confidential data, and it must not throw away
half an hour of a session note. So the typing goes into the vault (never to a file), for its
author only, and is offered after the next unlock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.db import audit
from app.models import VaultSetting
from app.models.base import new_id
from app.services.permissions import require
from app.services.vaults import OpenVault

_PREFIX = "draft."


@dataclass(frozen=True)
class Draft:
    id: str
    kind: str
    student_id: str | None
    parent_id: str | None
    record_id: str | None
    values: dict  # the form's own snapshot (RecordForm.draft())
    kept_at: dt.datetime


def _key(vault: OpenVault, draft_id: str) -> str:
    return f"{_PREFIX}{vault.user.id}.{draft_id}"


def keep_draft(
    vault: OpenVault,
    kind: str,
    values: dict,
    *,
    student_id: str | None = None,
    parent_id: str | None = None,
    record_id: str | None = None,
) -> str:
    require(vault.user.role, "edit_student")
    draft_id = new_id()
    doc = {
        "kind": kind,
        "student_id": student_id,
        "parent_id": parent_id,
        "record_id": record_id,
        "values": values,
        "kept_at": dt.datetime.now().isoformat(timespec="seconds"),
    }
    with vault.session() as s:
        s.add(VaultSetting(key=_key(vault, draft_id), value={"v": doc}))
        audit.record(s, audit.CREATE, object_type="draft", object_id=draft_id)
    return draft_id


def drafts(vault: OpenVault) -> list[Draft]:
    """This user's drafts, oldest first (nobody else's: a draft may hold a private note)."""
    prefix = f"{_PREFIX}{vault.user.id}."
    with vault.session() as s:
        rows = s.scalars(select(VaultSetting).where(VaultSetting.key.startswith(prefix))).all()
        out = []
        for row in rows:
            d = row.value["v"]
            out.append(
                Draft(
                    row.key[len(prefix) :],
                    d["kind"],
                    d.get("student_id"),
                    d.get("parent_id"),
                    d.get("record_id"),
                    d.get("values") or {},
                    dt.datetime.fromisoformat(d["kept_at"]),
                )
            )
    return sorted(out, key=lambda d: d.kept_at)


def drop_draft(vault: OpenVault, draft_id: str) -> None:
    with vault.session() as s:
        row = s.get(VaultSetting, _key(vault, draft_id))
        if row is not None:
            s.delete(row)
            audit.record(
                s, audit.UPDATE, object_type="draft", object_id=draft_id, detail={"dropped": True}
            )
