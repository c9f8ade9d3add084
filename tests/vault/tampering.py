"""What someone holding a database key and the audit key could do to the files by hand."""

import datetime as dt
import json
from pathlib import Path

from app.db import audit, open_database
from app.db.copies import raw_connect


def drop_and_rechain(db_path: Path, key: bytes, audit_key: bytes, where: str) -> None:
    """Keep only the audit entries matching `where` and chain them again through the app's own
    `audit.record`, so the chain verifies: only an anchor can tell."""
    conn = raw_connect(db_path, key)
    try:
        rows = conn.execute(
            "SELECT at, actor_id, action, object_type, object_id, detail FROM audit_log "
            f"WHERE {where} ORDER BY seq"
        ).fetchall()
        conn.execute("DELETE FROM audit_log")
    finally:
        conn.close()
    db = open_database(db_path, key)
    try:
        with db.session(None, audit_key) as s:
            for at, actor, action, otype, oid, detail in rows:
                audit.record(
                    s,
                    action,
                    object_type=otype,
                    object_id=oid,
                    detail=json.loads(detail),
                    actor_id=actor,
                    at=dt.datetime.fromisoformat(at),
                )
        with db.session(None, audit_key) as s:
            assert audit.verify(s).ok
    finally:
        db.dispose()
