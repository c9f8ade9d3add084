"""Change log rows written in the same flush as the change, and the no-hard-delete rule."""

from __future__ import annotations

import datetime as dt
from functools import cache

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.models import ChangeLog, Tracked

_SKIP = frozenset({"created_at", "updated_at"})
_installed = False


class HardDeleteRefused(Exception):
    """Archive rows are never deleted; they change status instead."""


def _jsonable(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@cache
def _columns(cls) -> tuple[tuple[str, object], ...]:
    """(attribute key, column default) for each column, computed once per class."""
    mapper = inspect(cls)
    return tuple((attr.key, attr.columns[0].default) for attr in mapper.column_attrs)


def _insert_payload(obj) -> dict:
    """Fill Python-side defaults now, so the change-log row shows the values that get stored."""
    values = obj.__dict__
    out = {}
    for key, default in _columns(type(obj)):
        value = values.get(key)
        if value is None and default is not None:
            value = default.arg if default.is_scalar else default.arg(None)
            setattr(obj, key, value)
        if key not in _SKIP:
            out[key] = _jsonable(value)
    return out


def _update_payload(obj) -> dict:
    state = inspect(obj)
    out = {}
    for key, _default in _columns(type(obj)):
        if key in _SKIP:
            continue
        hist = state.attrs[key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if old != new:
            out[key] = [_jsonable(old), _jsonable(new)]
    return out


def _before_flush(session: Session, _ctx, _instances) -> None:
    user_id = session.info.get("user_id")
    for obj in session.deleted:
        if isinstance(obj, Tracked):
            raise HardDeleteRefused(type(obj).__name__)
    rows = []
    for obj in session.new:
        if isinstance(obj, Tracked):
            payload = _insert_payload(obj)  # first: it assigns the id default
            rows.append(
                ChangeLog(
                    user_id=user_id,
                    entity=obj.__tablename__,
                    entity_id=obj.id,
                    op="insert",
                    changes=payload,
                )
            )
    for obj in session.dirty:
        if isinstance(obj, Tracked):
            changes = _update_payload(obj)
            if changes:
                rows.append(
                    ChangeLog(
                        user_id=user_id,
                        entity=obj.__tablename__,
                        entity_id=obj.id,
                        op="update",
                        changes=changes,
                    )
                )
    session.add_all(rows)


def install_change_tracking() -> None:
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _before_flush)
        _installed = True
