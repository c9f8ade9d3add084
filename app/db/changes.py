"""Change log rows written in the same flush as the change, and the no-hard-delete rule."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.models import ChangeLog, Tracked

_installed = False


def _jsonable(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _column_changes(obj, only_modified: bool) -> dict:
    state = inspect(obj)
    out = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in ("created_at", "updated_at"):
            continue
        hist = state.attrs[key].history
        if only_modified:
            if not hist.has_changes():
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old == new:
                continue
            out[key] = [_jsonable(old), _jsonable(new)]
        else:
            out[key] = _jsonable(getattr(obj, key))
    return out


def _apply_defaults(obj) -> None:
    """Fill Python-side defaults now, so the insert's change-log row shows the stored values."""
    for column in inspect(obj).mapper.columns:
        default = column.default
        if default is None or getattr(obj, column.key, None) is not None:
            continue
        if default.is_scalar:
            setattr(obj, column.key, default.arg)
        elif default.is_callable:
            setattr(obj, column.key, default.arg(None))


class HardDeleteRefused(Exception):
    """Archive rows are never deleted; they change status instead."""


def _before_flush(session: Session, _ctx, _instances) -> None:
    user_id = session.info.get("user_id")
    for obj in session.deleted:
        if isinstance(obj, Tracked):
            raise HardDeleteRefused(type(obj).__name__)
    rows = []
    for obj in session.new:
        if isinstance(obj, Tracked):
            _apply_defaults(obj)
            rows.append(
                ChangeLog(
                    user_id=user_id,
                    entity=obj.__tablename__,
                    entity_id=obj.id,
                    op="insert",
                    changes=_column_changes(obj, False),
                )
            )
    for obj in session.dirty:
        if isinstance(obj, Tracked) and session.is_modified(obj, include_collections=False):
            changes = _column_changes(obj, True)
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
