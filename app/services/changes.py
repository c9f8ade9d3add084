"""One change notification after every commit: which tables and which students changed.

The window subscribes once and refreshes what it shows (home counts, 预警, the open archive,
the timeline, the network lists, workload) instead of each page guessing what another changed.
Bookkeeping that every view writes (the audit log, the change log) is not a change a page shows:
counting it would make each refresh, which audits a view, trigger the next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session

_KEY = "xindang_changes"
_QUIET = frozenset({"audit_log", "change_log", "sync_cursor", "kiosk_session"})
_listeners: list[Callable[[Change], None]] = []
_installed = False


@dataclass(frozen=True)
class Change:
    tables: frozenset[str]
    student_ids: frozenset[str]

    def touches(self, *tables: str) -> bool:
        return bool(self.tables & set(tables))


def _before_flush(s: Session, _ctx, _instances) -> None:
    tables, students = s.info.setdefault(_KEY, (set(), set()))
    for obj in (*s.new, *s.dirty, *s.deleted):
        table = getattr(obj, "__tablename__", None)
        if table is None or table in _QUIET:
            continue
        tables.add(table)
        sid = obj.id if table == "student" else getattr(obj, "student_id", None)
        if sid:
            students.add(sid)


def _after_commit(s: Session) -> None:
    tables, students = s.info.pop(_KEY, (set(), set()))
    if not tables:
        return
    change = Change(frozenset(tables), frozenset(students))
    for callback in list(_listeners):
        try:
            callback(change)
        except Exception:  # a listener's failure must never look like a failed commit
            if callback in _listeners:
                _listeners.remove(callback)


def _after_rollback(s: Session) -> None:
    s.info.pop(_KEY, None)


def on_change(callback: Callable[[Change], None]) -> Callable[[], None]:
    """Be told (on the committing thread) after each commit that changed something shown."""
    _listeners.append(callback)
    return lambda: _listeners.remove(callback) if callback in _listeners else None


def install_change_hook() -> None:
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _installed = True
