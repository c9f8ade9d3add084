"""Down streams: what the city publishes, paged to each school by an opaque cursor."""

from __future__ import annotations

import base64
import binascii

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from cloud.canonical import canonical_json, digest
from cloud.models import Org, StreamFloor, StreamItem, Submission
from cloud.orgs import AdminError, get_org

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
        if version != "v1" or name != stream:
            raise ValueError
        return int(seq)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise CursorInvalid() from exc


def _visible(stream: str, school_id: str):
    return and_(
        StreamItem.stream == stream,
        or_(StreamItem.scope.is_(None), StreamItem.scope == school_id),
    )


def publish(
    s: Session,
    stream: str,
    item_id: str,
    payload: dict | None,
    *,
    scope: str | None = None,
    deleted: bool = False,
) -> StreamItem | None:
    """Append a new version, or nothing when the item is unchanged (publishing is idempotent)."""
    if stream not in STREAMS:
        raise AdminError(f"unknown stream {stream!r}")
    if (stream in SCHOOL_SCOPED) != (scope is not None):
        raise AdminError(
            f"stream {stream!r} {'needs' if stream in SCHOOL_SCOPED else 'takes no'} school"
        )
    latest = s.scalar(
        select(StreamItem)
        .where(
            StreamItem.stream == stream,
            StreamItem.scope.is_(scope) if scope is None else StreamItem.scope == scope,
            StreamItem.item_id == item_id,
        )
        .order_by(StreamItem.seq.desc())
        .limit(1)
    )
    if (
        latest is not None
        and latest.deleted == deleted
        and (canonical_json(latest.payload) == canonical_json(payload))
    ):
        return None
    row = StreamItem(
        stream=stream,
        scope=scope,
        item_id=item_id,
        version=(latest.version + 1) if latest else 1,
        deleted=deleted,
        payload=None if deleted else payload,
    )
    s.add(row)
    s.flush()
    return row


def page(s: Session, stream: str, school_id: str, cursor: str | None, limit: int) -> dict:
    after = decode_cursor(stream, cursor)
    floor = s.get(StreamFloor, stream)
    if cursor and floor is not None and after < floor.floor_seq:
        raise CursorExpired()
    rows = s.scalars(
        select(StreamItem)
        .where(_visible(stream, school_id), StreamItem.seq > after)
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
    newest = (
        select(StreamItem.scope, StreamItem.item_id, func.max(StreamItem.seq).label("seq"))
        .where(_visible(stream, school_id))
        .group_by(StreamItem.scope, StreamItem.item_id)
        .subquery()
    )
    return list(s.scalars(select(StreamItem).join(newest, StreamItem.seq == newest.c.seq)))


def stream_digest(s: Session, stream: str, school_id: str) -> dict:
    return {"stream": stream} | digest(
        (r.item_id, r.version) for r in current(s, stream, school_id) if not r.deleted
    )


def compact(s: Session, stream: str) -> int:
    """Drop superseded versions; cursors older than what was dropped must start over (410)."""
    keep = (
        select(func.max(StreamItem.seq))
        .where(StreamItem.stream == stream)
        .group_by(StreamItem.scope, StreamItem.item_id)
    )
    dropped_max = s.scalar(
        select(func.max(StreamItem.seq)).where(
            StreamItem.stream == stream, StreamItem.seq.not_in(keep)
        )
    )
    if dropped_max is None:
        dropped_max = (
            s.scalar(select(func.max(StreamItem.seq)).where(StreamItem.stream == stream)) or 0
        )
    n = s.execute(
        delete(StreamItem).where(StreamItem.stream == stream, StreamItem.seq.not_in(keep))
    ).rowcount
    floor = s.get(StreamFloor, stream) or StreamFloor(stream=stream, floor_seq=0)
    floor.floor_seq = max(floor.floor_seq, dropped_max + 1)
    s.add(floor)
    return n


ROSTER_FIELDS = (
    "student_no",
    "name",
    "gender",
    "birth_date",
    "grade_level",
    "class_number",
    "status",
)


def publish_roster(s: Session, school_code: str, rows: list[dict]) -> int:
    school = get_org(s, school_code, "school")
    n = 0
    for row in rows:
        payload = {k: row.get(k) for k in ROSTER_FIELDS}
        if not payload["student_no"] or not payload["name"]:
            raise AdminError(f"roster row without 学籍号 or name: {row}")
        payload["status"] = payload["status"] or "enrolled"
        if publish(s, "roster", payload["student_no"], payload, scope=school.id):
            n += 1
    return n


SHAREABLE = {
    "assessment_result": ("scale_id", "administered_at", "total", "band_label", "valid"),
    "warning": ("level", "status", "raised_at"),
}


def transfer(s: Session, student_no: str, to_school_code: str) -> dict:
    """Move a student; the receiving school gets the shareable part of the archive, no more."""
    target = get_org(s, to_school_code, "school")
    rows = [
        r
        for r in s.scalars(
            select(StreamItem)
            .where(StreamItem.stream == "roster", StreamItem.item_id == student_no)
            .order_by(StreamItem.seq.desc())
        )
    ]
    source = next((r for r in rows if r.scope != target.id and not r.deleted), None)
    if source is None:
        raise AdminError(f"student {student_no} is in no other school's roster")
    base = dict(source.payload or {})
    publish(s, "roster", student_no, base | {"status": "transferred"}, scope=source.scope)
    publish(s, "roster", student_no, base | {"status": "enrolled"}, scope=target.id)
    deprecated = select(Submission.deprecates).where(Submission.deprecates.is_not(None))
    subs = s.scalars(
        select(Submission)
        .where(
            Submission.school_id == source.scope,
            Submission.student_no == student_no,
            Submission.entity.in_(SHAREABLE),
            Submission.id.not_in(deprecated),
        )
        .order_by(Submission.server_seq)
    ).all()
    latest: dict[str, Submission] = {}
    for sub in subs:
        latest[sub.entity_id] = sub
    shared = {"assessment_result": [], "warning": []}
    for sub in latest.values():
        shared[sub.entity].append({k: sub.payload.get(k) for k in SHAREABLE[sub.entity]})
    from_school = s.get(Org, source.scope)
    payload = {
        "student_no": student_no,
        "name": base.get("name"),
        "from_school": from_school.name if from_school else None,
        "results": sorted(shared["assessment_result"], key=lambda r: r["administered_at"] or ""),
        "warnings": sorted(shared["warning"], key=lambda r: r["raised_at"] or ""),
    }
    publish(s, "transfers", student_no, payload, scope=target.id)
    return payload
