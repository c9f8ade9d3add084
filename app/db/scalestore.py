"""Scale definitions in the vault, by (id, version), laid over the shipped library.

A city-published or licensed definition is a row of `scale_document`, written in the same
transaction as whatever brought it (a sync session, an import), so it is backed up, restored and
rotated with the archive. The newest installed version of an id is the one used for new work; a
stored result is read against the version it was scored with."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ScaleDocument
from app.scales.definition import (
    ScaleDefinition,
    ScaleDefinitionError,
    load_definition,
    parse_definition,
)
from app.scales.library import UnknownScale, shipped_scales

_ROWS = "scale_document_rows"  # session.info: this transaction's installed definitions

# Parsed definitions by digest: content-addressed, so shared safely between vaults.
_PARSED: dict[str, ScaleDefinition] = {}


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def _parsed(digest: str, body: str) -> ScaleDefinition:
    d = _PARSED.get(digest)
    if d is None:
        d = _PARSED[digest] = parse_definition(json.loads(body), file=f"vault:{digest[:12]}")
    return d


def _rows(s: Session, scale_id: str | None = None) -> list:
    """(id, version, digest, seq) in installation order, read once per transaction (scoring a
    batch of answer sheets asks for its scale once per sheet)."""
    rows = s.info.get(_ROWS)
    if rows is None:
        q = select(
            ScaleDocument.scale_id, ScaleDocument.version, ScaleDocument.digest, ScaleDocument.seq
        ).order_by(ScaleDocument.seq)
        rows = s.info[_ROWS] = s.execute(q).all()
    if scale_id is None:
        return rows
    return [r for r in rows if r[0] == scale_id.upper()]


def _load(s: Session, digest: str) -> ScaleDefinition:
    d = _PARSED.get(digest)
    if d is not None:
        return d
    body = s.scalar(select(ScaleDocument.body).where(ScaleDocument.digest == digest).limit(1))
    return _parsed(digest, body)


def catalogue(s: Session) -> dict[str, ScaleDefinition]:
    """Every scale this vault can use: shipped, with the newest installed version of each id
    in its place."""
    out = dict(shipped_scales())
    for scale_id, _version, digest, _seq in _rows(s):  # installation order: the last one wins
        out[scale_id] = _load(s, digest)
    return dict(sorted(out.items()))


def scale(s: Session, scale_id: str, version: str | None = None) -> ScaleDefinition:
    """The definition to use: `version` when given and known (a stored result's own), otherwise
    the current one. Raises UnknownScale for an id neither shipped nor installed."""
    key = scale_id.upper()
    rows = _rows(s, key)
    if version is not None:
        for _id, v, digest, _seq in rows:
            if v == version:
                return _load(s, digest)
        shipped = shipped_scales().get(key)
        if shipped is not None and shipped.version == version:
            return shipped
    if rows:
        return _load(s, rows[-1][2])
    shipped = shipped_scales().get(key)
    if shipped is None:
        raise UnknownScale(scale_id)
    return shipped


def install(s: Session, doc: dict, source: str, user_id: str | None = None) -> ScaleDefinition:
    """Check a definition and keep it; the same (id, version) again replaces the stored text
    (a corrected publication), a new version is added beside the old ones."""
    body = json.dumps(doc, ensure_ascii=False, sort_keys=True)
    digest = _digest(body)
    d = _parsed(digest, body)
    row = s.scalar(
        select(ScaleDocument).where(
            ScaleDocument.scale_id == d.id, ScaleDocument.version == d.version
        )
    )
    if row is not None and row.digest == digest:
        return d
    s.info.pop(_ROWS, None)
    if row is not None:
        s.delete(row)
        s.flush()  # a corrected text becomes the newest installation of its id
    s.add(
        ScaleDocument(
            scale_id=d.id,
            version=d.version,
            source=source,
            digest=digest,
            body=body,
            installed_by=user_id,
        )
    )
    s.flush()
    return d


def installed(s: Session) -> list[tuple[str, str, str]]:
    """(id, version, source) of every definition kept in the vault, in installation order."""
    return [
        tuple(r)
        for r in s.execute(
            select(ScaleDocument.scale_id, ScaleDocument.version, ScaleDocument.source).order_by(
                ScaleDocument.seq
            )
        )
    ]


def adopt_folder(s: Session, folder: Path, user_id: str | None = None) -> list[str]:
    """Move release 0.1's per-computer definitions into the vault, once (an (id, version) already
    kept is left alone; a file that does not load is left where it is). Returns what was added."""
    if not folder.is_dir():
        return []
    have = {(i, v) for i, v, _src in installed(s)}
    added = []
    for path in sorted(folder.glob("*.json")):
        try:
            d = load_definition(path)
        except ScaleDefinitionError:
            continue
        if (d.id, d.version) not in have:
            install(s, d.raw, "licensed" if d.has_item_texts else "city", user_id)
            have.add((d.id, d.version))
            added.append(f"{d.id} {d.version}")
    return added
