"""Down streams: what the city publishes, paged to each school by an opaque cursor."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib

from sqlalchemy import delete, func, insert, select, text, true, update
from sqlalchemy.orm import Session

from cloud.canonical import canonical_json, digest
from cloud.models import (
    Org,
    RosterEntry,
    StreamFloor,
    StreamItem,
    StreamRejection,
    Submission,
    now,
)
from cloud.orgs import AdminError, get_org
from cloud.pseudonyms import school_secret, student_key
from cloud.roster import RosterInvalid, RowProblem, normalize

STREAMS = ("roster", "scales", "plans", "rules", "transfers")
SCHOOL_SCOPED = frozenset({"roster", "plans", "transfers"})


class CursorInvalid(Exception):
    pass


class CursorExpired(Exception):
    pass


def encode_cursor(stream: str, seq: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{stream}:{seq}".encode()).decode().rstrip("=")


def decode_cursor(stream: str, cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, name, seq = raw.split(":")
        if version != "v1" or name != stream or not seq.isdigit() or int(seq) >= 2**63:
            raise ValueError
        return int(seq)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise CursorInvalid() from exc


_ITEM_COLUMNS = (
    StreamItem.seq,
    StreamItem.item_id,
    StreamItem.version,
    StreamItem.deleted,
    StreamItem.payload,
)


def _scope_clause(scope: str | None):
    return StreamItem.scope.is_(None) if scope is None else StreamItem.scope == scope


def _lock_stream(s: Session, stream: str) -> None:
    """Publishers of a stream take turns until they commit, so `seq` order is commit order and
    paging by `seq > cursor` never skips a row that commits later with a lower number."""
    if s.get_bind().dialect.name == "postgresql":
        lock_id = int.from_bytes(hashlib.sha256(f"stream:{stream}".encode()).digest()[:8], "big")
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_id - 2**63})


def _check_stream(stream: str, scope: str | None) -> None:
    if stream not in STREAMS:
        raise AdminError(f"unknown stream {stream!r}")
    if (stream in SCHOOL_SCOPED) != (scope is not None):
        raise AdminError(
            f"stream {stream!r} {'needs' if stream in SCHOOL_SCOPED else 'takes no'} school"
        )


def publish_many(
    s: Session, stream: str, items: dict[str, dict | None], *, scope: str | None = None
) -> int:
    """Publish new versions of many items at once (None = deleted); unchanged items are left
    alone (publishing is idempotent). Returns how many changed."""
    _check_stream(stream, scope)
    _lock_stream(s, stream)
    existing = {
        r.item_id: r
        for r in s.execute(
            select(*_ITEM_COLUMNS).where(
                StreamItem.stream == stream,
                _scope_clause(scope),
                StreamItem.current.is_(True),
                StreamItem.item_id.in_(list(items)) if len(items) < 1000 else true(),
            )
        )
    }
    published = now()
    rows, superseded = [], []
    for item_id, payload in items.items():
        old = existing.get(item_id)
        deleted = payload is None
        unchanged = (
            old is not None
            and old.deleted == deleted
            and (deleted or canonical_json(old.payload) == canonical_json(payload))
        )
        if unchanged or (old is None and deleted):
            continue
        rows.append(
            {
                "stream": stream,
                "scope": scope,
                "item_id": item_id,
                "version": old.version + 1 if old is not None else 1,
                "deleted": deleted,
                "current": True,
                "payload": payload,
                "published_at": published,
            }
        )
        if old is not None:
            superseded.append(old.seq)
    for start in range(0, len(superseded), 5000):
        s.execute(
            update(StreamItem)
            .where(StreamItem.seq.in_(superseded[start : start + 5000]))
            .values(current=False)
        )
    for start in range(0, len(rows), 5000):
        s.execute(insert(StreamItem), rows[start : start + 5000])
    if rows and scope is not None:
        changed = [r["item_id"] for r in rows]
        for start in range(0, len(changed), 5000):
            s.execute(
                delete(StreamRejection).where(
                    StreamRejection.school_id == scope,
                    StreamRejection.stream == stream,
                    StreamRejection.item_id.in_(changed[start : start + 5000]),
                )
            )
    s.flush()
    return len(rows)


def publish(
    s: Session,
    stream: str,
    item_id: str,
    payload: dict | None,
    *,
    scope: str | None = None,
    deleted: bool = False,
) -> bool:
    """Append a new version of one item, or nothing when it is unchanged."""
    return publish_many(s, stream, {item_id: None if deleted else payload}, scope=scope) == 1


def _floor(s: Session, stream: str, school_id: str) -> int:
    floors = s.scalars(
        select(StreamFloor.floor_seq).where(
            StreamFloor.stream == stream, StreamFloor.scope.in_(("", school_id))
        )
    ).all()
    return max(floors, default=0)


def page(s: Session, stream: str, school_id: str, cursor: str | None, limit: int) -> dict:
    after = decode_cursor(stream, cursor)
    if cursor and after < _floor(s, stream, school_id):
        raise CursorExpired()
    scope = school_id if stream in SCHOOL_SCOPED else None
    rows = s.execute(
        select(*_ITEM_COLUMNS)
        .where(StreamItem.stream == stream, _scope_clause(scope), StreamItem.seq > after)
        .order_by(StreamItem.seq)
        .limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1].seq if rows else after
    return {
        "stream": stream,
        "items": [
            {"id": r.item_id, "version": r.version, "deleted": r.deleted, "payload": r.payload}
            for r in rows
        ],
        "next_cursor": encode_cursor(stream, last),
        "has_more": has_more,
    }


def current(s: Session, stream: str, school_id: str) -> list[StreamItem]:
    scope = school_id if stream in SCHOOL_SCOPED else None
    return list(
        s.scalars(
            select(StreamItem).where(
                StreamItem.stream == stream, _scope_clause(scope), StreamItem.current.is_(True)
            )
        )
    )


def stream_digest(s: Session, stream: str, school_id: str) -> dict:
    scope = school_id if stream in SCHOOL_SCOPED else None
    pairs = s.execute(
        select(StreamItem.item_id, StreamItem.version).where(
            StreamItem.stream == stream,
            _scope_clause(scope),
            StreamItem.current.is_(True),
            StreamItem.deleted.is_(False),
        )
    ).all()
    return {"stream": stream} | digest((a, b) for a, b in pairs)


def compact(s: Session, stream: str, scope: str | None = None) -> int:
    """Drop superseded versions. Every item's newest version — tombstones included — stays, so
    no cursor expires: a client behind a dropped row still meets its newer version."""
    where = [StreamItem.stream == stream, StreamItem.current.is_(False)]
    if scope is not None:
        where.append(StreamItem.scope == scope)
    return s.execute(delete(StreamItem).where(*where)).rowcount


def purge_deleted(s: Session, stream: str, scope: str | None, before: dt.datetime) -> int:
    """Forget tombstones published before `before`. Only this school's (or the city-wide part's)
    cursors from before them must start over: its floor rises, nobody else's."""
    where = [
        StreamItem.stream == stream,
        _scope_clause(scope),
        StreamItem.deleted.is_(True),
        StreamItem.published_at < before,
    ]
    top = s.scalar(select(func.max(StreamItem.seq)).where(*where))
    if top is None:
        return 0
    n = s.execute(delete(StreamItem).where(*where)).rowcount
    key = scope or ""
    floor = s.get(StreamFloor, (stream, key)) or StreamFloor(stream=stream, scope=key, floor_seq=0)
    floor.floor_seq = max(floor.floor_seq, top + 1)
    s.add(floor)
    return n


def publish_roster(
    s: Session, school_code: str, rows: list[dict], *, skip_invalid: bool = False
) -> int:
    """Check every row (cloud/roster.py), then publish the school's roster in one go and keep the
    pseudonymous keys its devices will submit by. A row that cannot be made valid refuses the
    whole publish with row, column and reason — unless `skip_invalid`, which leaves it out."""
    school = get_org(s, school_code, "school")
    payloads: dict[str, dict] = {}
    problems: list[RowProblem] = []
    for line, row in enumerate(rows, start=2):
        payload, found = normalize(row, int(row.get("_line", line)))
        if found:
            problems.extend(found)
        elif payload["student_no"] in payloads:
            problems.append(RowProblem(line, "学籍号", "repeated in this roster"))
        else:
            payloads[payload["student_no"]] = payload
    if problems and not skip_invalid:
        raise RosterInvalid(problems)
    changed = publish_many(s, "roster", payloads, scope=school.id)
    _keep_keys(s, school, payloads)
    return changed


def _keep_keys(s: Session, school: Org, payloads: dict[str, dict]) -> None:
    secret = school_secret(s, school)
    rows = [
        {
            "school_id": school.id,
            "student_key": student_key(secret, no),
            "student_no": no,
            "current": p.get("status") == "enrolled",
        }
        for no, p in payloads.items()
    ]
    if not rows:
        return
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    for start in range(0, len(rows), 5000):
        stmt = upsert(RosterEntry).values(rows[start : start + 5000])
        s.execute(
            stmt.on_conflict_do_update(
                index_elements=["school_id", "student_key"],
                set_={"current": stmt.excluded.current},
            )
        )


def record_rejections(s: Session, school_id: str, stream: str, items: list[dict]) -> int:
    """What a school's client could not apply, and why: kept for the city admin to correct."""
    for item in items:
        row = s.get(StreamRejection, (school_id, stream, item["id"]))
        if row is None:
            row = StreamRejection(school_id=school_id, stream=stream, item_id=item["id"])
            s.add(row)
        row.version = item["version"]
        row.reason = item["reason"][:300]
        row.reported_at = now()
    return len(items)


SHAREABLE = {
    "assessment_result": ("scale_id", "administered_at", "total", "band_label", "valid"),
    "warning": ("level", "status", "raised_at"),
}


def transfer(s: Session, student_no: str, to_school_code: str) -> dict:
    """Move a student; the receiving school gets the shareable part of the archive, no more.

    The one place the city needs the 学籍号: the roster tells which school had the student, and
    that school's pseudonymous key finds what it sent (its own live submissions only)."""
    target = get_org(s, to_school_code, "school")
    source = s.scalars(
        select(StreamItem)
        .where(
            StreamItem.stream == "roster",
            StreamItem.item_id == student_no,
            StreamItem.current.is_(True),
            StreamItem.deleted.is_(False),
            StreamItem.scope != target.id,
        )
        .order_by(StreamItem.seq.desc())
        .limit(1)
    ).first()
    if source is None:
        raise AdminError(f"student {student_no} is in no other school's roster")
    base = dict(source.payload or {})
    from_school = s.get(Org, source.scope)
    publish(s, "roster", student_no, base | {"status": "transferred"}, scope=source.scope)
    publish(s, "roster", student_no, base | {"status": "enrolled"}, scope=target.id)
    _keep_keys(s, from_school, {student_no: base | {"status": "transferred"}})
    _keep_keys(s, target, {student_no: base | {"status": "enrolled"}})
    key = student_key(school_secret(s, from_school), student_no)
    subs = s.scalars(
        select(Submission)
        .where(
            Submission.school_id == source.scope,
            Submission.student_key == key,
            Submission.entity.in_(SHAREABLE),
            Submission.retired.is_(False),
        )
        .order_by(Submission.server_seq)
    ).all()
    latest: dict[str, Submission] = {}
    for sub in subs:
        latest[sub.entity_id] = sub
    shared = {"assessment_result": [], "warning": []}
    for sub in latest.values():
        shared[sub.entity].append({k: sub.payload.get(k) for k in SHAREABLE[sub.entity]})
    payload = {
        "student_no": student_no,
        "name": base.get("name"),
        "from_school": from_school.name if from_school else None,
        "results": sorted(shared["assessment_result"], key=lambda r: r["administered_at"] or ""),
        "warnings": sorted(shared["warning"], key=lambda r: r["raised_at"] or ""),
    }
    publish(s, "transfers", student_no, payload, scope=target.id)
    return payload
