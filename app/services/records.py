"""Counseling records: create, edit as a new version, void with a reason, read (audited), the
一生一档 timeline, upcoming appointments and the teacher's workload."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from app.db import audit
from app.errors import PermissionDenied, ValidationError
from app.i18n import _
from app.models import (
    AssessmentResult,
    Record,
    RecordParticipant,
    RecordVersion,
    Student,
    User,
    utcnow,
)
from app.records.bodies import clean_body
from app.records.choices import TASK_SIDES
from app.records.kinds import FOLLOW_UP_HOUR, KINDS, current_body, get_kind, open_tasks
from app.records.workload import COUNTED, Workload, tally
from app.records.workload import bounds as workload_bounds
from app.services import private_notes
from app.services.follow_ups import AFTER_CREATE
from app.services.permissions import ADMIN, require
from app.services.vaults import OpenVault

VIEW_RECORD = "view_record"


@dataclass(frozen=True)
class Participant:
    student_id: str
    attended: bool
    observation: str | None


@dataclass(frozen=True)
class RecordView:
    id: str
    kind: str
    student_id: str | None
    class_id: str | None
    parent_id: str | None
    occurred_at: dt.datetime
    title: str
    body: dict
    private: bool
    version: int
    author_id: str | None
    voided: bool
    void_reason: str | None
    participants: tuple[Participant, ...] = ()


@dataclass(frozen=True)
class VersionView:
    version: int
    title: str
    body: dict
    occurred_at: dt.datetime
    saved_by: str | None
    saved_at: dt.datetime


@dataclass(frozen=True)
class TimelineEntry:
    id: str
    kind: str  # a record kind, or "assessment"
    occurred_at: dt.datetime
    title: str
    summary: str
    voided: bool
    private: bool


def _view(vault: OpenVault, r: Record, participants=()) -> RecordView:
    return RecordView(
        r.id,
        r.kind,
        r.student_id,
        r.class_id,
        r.parent_id,
        r.occurred_at,
        r.title,
        current_body(r.kind, r.body_schema, private_notes.readable(vault, r.private, r.body)),
        r.private,
        r.version,
        r.author_id,
        r.voided_at is not None,
        r.void_reason,
        tuple(participants),
    )


def _can_read(vault: OpenVault, r: Record) -> None:
    require(vault.user.role, "view_diagnosis")
    if r.private and r.author_id != vault.user.id and vault.user.role != ADMIN:
        raise PermissionDenied(_("read another counselor's private notes"))


def create_record(
    vault: OpenVault,
    kind: str,
    *,
    occurred_at: dt.datetime,
    body: dict,
    title: str = "",
    student_id: str | None = None,
    class_id: str | None = None,
    parent_id: str | None = None,
    participants: list[Participant] | None = None,
) -> RecordView:
    require(vault.user.role, "edit_student")
    k = get_kind(kind)
    clean = clean_body(k, body)
    if k.scope == "student" and not student_id:
        raise ValidationError("student", _("Choose the student."))
    if k.scope == "class" and not class_id:
        raise ValidationError("class", _("Choose the class."))
    with vault.session() as s:
        if parent_id is not None:
            parent = s.get(Record, parent_id)
            if parent is None or parent.kind != k.parent_kind:
                raise ValidationError("parent", _("This record cannot be filed there."))
        r = _insert(vault, s, k, clean, occurred_at, title, student_id, class_id, parent_id)
        for p in participants or []:
            s.add(
                RecordParticipant(
                    record_id=r.id,
                    student_id=p.student_id,
                    attended=p.attended,
                    observation=p.observation,
                )
            )
        return _view(vault, r, participants or ())


def _insert(vault, s, k, clean, occurred_at, title, student_id, class_id, parent_id) -> Record:
    r = Record(
        kind=k.key,
        student_id=student_id,
        class_id=class_id,
        parent_id=parent_id,
        occurred_at=occurred_at,
        author_id=vault.user.id,
        title=title.strip(),
        body=private_notes.seal(vault, s, clean) if k.private else clean,
        private=k.private,
    )
    s.add(r)
    s.flush()
    audit.record(s, audit.CREATE, object_type="record", object_id=r.id, detail={"kind": k.key})
    if k.key in AFTER_CREATE:
        AFTER_CREATE[k.key](s, r, vault.user.id)
    return r


def add_in(
    vault: OpenVault,
    s,
    kind: str,
    *,
    occurred_at: dt.datetime,
    body: dict,
    student_id: str | None = None,
) -> str:
    """A record written by another use case in its own transaction (a roster status change
    goes on the timeline with the change itself); returns its id."""
    k = get_kind(kind)
    return _insert(vault, s, k, clean_body(k, body), occurred_at, "", student_id, None, None).id


def create_for_classes(
    vault: OpenVault,
    kind: str,
    class_ids: list[str],
    *,
    occurred_at: dt.datetime,
    body: dict,
    title: str = "",
) -> list[RecordView]:
    """One lesson taught to several classes, recorded once: a record per class (each class's
    count and the teacher's lessons), all or none."""
    require(vault.user.role, "edit_student")
    k = get_kind(kind)
    if k.scope != "class":
        raise ValidationError("kind", _("Only a class record is made for several classes."))
    ids = list(dict.fromkeys(c for c in class_ids if c))
    if not ids:
        raise ValidationError("class", _("Choose the class."))
    clean = clean_body(k, body)
    with vault.session() as s:
        made = [_insert(vault, s, k, clean, occurred_at, title, None, c, None) for c in ids]
        return [_view(vault, r) for r in made]


def update_record(
    vault: OpenVault,
    record_id: str,
    *,
    body: dict,
    title: str | None = None,
    occurred_at: dt.datetime | None = None,
    participants: list[Participant] | None = None,
) -> RecordView:
    """Save an edit as the next version; the previous one is kept with who saved it and when."""
    require(vault.user.role, "edit_student")
    with vault.session() as s:
        r = s.get(Record, record_id)
        _can_read(vault, r)
        if r.voided_at is not None:
            raise ValidationError("record", _("A voided record cannot be edited."))
        s.add(
            RecordVersion(
                record_id=r.id,
                version=r.version,
                title=r.title,
                body=dict(r.body),
                body_schema=r.body_schema,
                occurred_at=r.occurred_at,
                saved_by=r.edited_by or r.author_id,
                saved_at=r.updated_at,
            )
        )
        r.body = clean_body(get_kind(r.kind), body)
        if r.private:
            r.body = private_notes.seal(vault, s, r.body)
        if title is not None:
            r.title = title.strip()
        if occurred_at is not None:
            r.occurred_at = occurred_at
        r.version += 1
        r.edited_by = vault.user.id
        if participants is not None:
            existing = {
                p.student_id: p
                for p in s.scalars(
                    select(RecordParticipant).where(RecordParticipant.record_id == r.id)
                )
            }
            for p in participants:
                row = existing.get(p.student_id)
                if row is None:
                    s.add(
                        RecordParticipant(
                            record_id=r.id,
                            student_id=p.student_id,
                            attended=p.attended,
                            observation=p.observation,
                        )
                    )
                else:
                    row.attended, row.observation = p.attended, p.observation
        audit.record(
            s, audit.UPDATE, object_type="record", object_id=r.id, detail={"version": r.version}
        )
        return _view(vault, r, _participants(s, r.id))


def void_record(vault: OpenVault, record_id: str, reason: str) -> RecordView:
    """Records are never deleted: a mistaken one is voided, with a reason, and stays visible as such."""
    require(vault.user.role, "edit_student")
    if not reason.strip():
        raise ValidationError("reason", _("Give a reason for voiding."))
    with vault.session() as s:
        r = s.get(Record, record_id)
        _can_read(vault, r)
        r.voided_at, r.voided_by, r.void_reason = utcnow(), vault.user.id, reason.strip()
        audit.record(s, audit.UPDATE, object_type="record", object_id=r.id, detail={"voided": True})
        return _view(vault, r, _participants(s, r.id))


def _participants(s, record_id: str) -> list[Participant]:
    return [
        Participant(p.student_id, p.attended, p.observation)
        for p in s.scalars(
            select(RecordParticipant)
            .where(RecordParticipant.record_id == record_id)
            .order_by(RecordParticipant.created_at)
        )
    ]


def get_record(vault: OpenVault, record_id: str) -> RecordView:
    """Reading a record is audited, like opening an archive."""
    with vault.session() as s:
        r = s.get(Record, record_id)
        if r is None:
            raise ValidationError("record", _("This record no longer exists."))
        _can_read(vault, r)
        audit.record(s, VIEW_RECORD, object_type="record", object_id=r.id)
        return _view(vault, r, _participants(s, r.id))


def versions(vault: OpenVault, record_id: str) -> list[VersionView]:
    """Earlier versions, oldest first (the current one is the record itself)."""
    with vault.session() as s:
        r = s.get(Record, record_id)
        _can_read(vault, r)
        rows = s.scalars(
            select(RecordVersion)
            .where(RecordVersion.record_id == record_id)
            .order_by(RecordVersion.version)
        )
        return [
            VersionView(
                v.version,
                v.title,
                current_body(
                    r.kind, v.body_schema, private_notes.readable(vault, r.private, v.body)
                ),
                v.occurred_at,
                v.saved_by,
                v.saved_at,
            )
            for v in rows
        ]


def _summary(kind: str, body: dict) -> str:
    for key in ("topic", "content", "text", "reason", "purpose", "theme", "summary", "plan"):
        if body.get(key):
            return str(body[key])[:80]
    sections = body.get("sections") or {}
    for text in sections.values():
        return text[:80]
    if kind == "case":
        from app.records.choices import PROBLEMS

        return "、".join(_(PROBLEMS[p]) for p in body.get("problems", []))
    return ""


def timeline(
    vault: OpenVault,
    student_id: str,
    *,
    kinds: set[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    include_private: bool = False,
) -> list[TimelineEntry]:
    """Everything about one student, newest first: records, group sessions attended, assessments."""
    require(vault.user.role, "view_diagnosis")
    with vault.session() as s:
        attended = select(RecordParticipant.record_id).where(
            RecordParticipant.student_id == student_id
        )
        conds = [or_(Record.student_id == student_id, Record.id.in_(attended))]
        if not include_private:
            conds.append(Record.private.is_(False))
        elif vault.user.role != ADMIN:
            conds.append(or_(Record.private.is_(False), Record.author_id == vault.user.id))
        if kinds is not None:
            conds.append(Record.kind.in_(kinds))
        if since is not None:
            conds.append(Record.occurred_at >= since)
        if until is not None:
            conds.append(Record.occurred_at <= until)
        out = [
            TimelineEntry(
                r.id,
                r.kind,
                r.occurred_at,
                r.title,
                _summary(r.kind, private_notes.readable(vault, r.private, r.body)),
                r.voided_at is not None,
                r.private,
            )
            for r in s.scalars(select(Record).where(and_(*conds)))
        ]
        if kinds is None or "assessment" in kinds:
            q = select(AssessmentResult).where(
                AssessmentResult.student_id == student_id, AssessmentResult.status == "final"
            )
            if since is not None:
                q = q.where(AssessmentResult.administered_at >= since)
            if until is not None:
                q = q.where(AssessmentResult.administered_at <= until)
            for a in s.scalars(q):
                total = "" if a.total is None else f"{a.total:g}"
                out.append(
                    TimelineEntry(
                        a.id,
                        "assessment",
                        a.administered_at,
                        a.scale_id,
                        f"{total} {a.band_label or ''}".strip(),
                        False,
                        False,
                    )
                )
        audit.record(s, audit.VIEW_STUDENT, object_type="timeline", object_id=student_id)
    out.sort(key=lambda e: e.occurred_at, reverse=True)
    return out


@dataclass(frozen=True)
class ListedRecord:
    id: str
    occurred_at: dt.datetime
    label: str


def listing(vault: OpenVault, kind: str, limit: int = 200) -> list[ListedRecord]:
    """The newest records of one class- or group-level kind (programs, lessons) for a list."""
    require(vault.user.role, "view_diagnosis")
    with vault.session() as s:
        rows = s.scalars(
            select(Record)
            .where(Record.kind == kind, Record.voided_at.is_(None), Record.private.is_(False))
            .order_by(Record.occurred_at.desc())
            .limit(limit)
        ).all()
        return [
            ListedRecord(
                r.id, r.occurred_at, r.title or r.body.get("theme") or r.body.get("topic") or ""
            )
            for r in rows
        ]


def for_case_file(
    vault: OpenVault, student_id: str, *, include_private: bool = False
) -> list[RecordView]:
    """Every record the case file prints, oldest first, in one read: the student's own, group
    sessions they attended and the lessons and class meetings held for their class. Not audited
    one by one: the print itself is audited with the sections it holds."""
    require(vault.user.role, "view_diagnosis")
    with vault.session() as s:
        class_id = s.scalar(select(Student.class_id).where(Student.id == student_id))
        attended = select(RecordParticipant.record_id).where(
            RecordParticipant.student_id == student_id
        )
        mine = [Record.student_id == student_id, Record.id.in_(attended)]
        if class_id is not None:
            mine.append(and_(Record.kind == "lesson", Record.class_id == class_id))
        conds = [or_(*mine), Record.voided_at.is_(None)]
        if not include_private:
            conds.append(Record.private.is_(False))
        elif vault.user.role != ADMIN:
            conds.append(or_(Record.private.is_(False), Record.author_id == vault.user.id))
        rows = s.scalars(select(Record).where(*conds).order_by(Record.occurred_at)).all()
        return [_view(vault, r) for r in rows]


def student_cases(vault: OpenVault, student_id: str) -> list[RecordView]:
    """The student's counseling cases, newest first, for filing sessions and notes under."""
    require(vault.user.role, "view_diagnosis")
    with vault.session() as s:
        rows = s.scalars(
            select(Record)
            .where(
                Record.student_id == student_id, Record.kind == "case", Record.voided_at.is_(None)
            )
            .order_by(Record.occurred_at.desc())
        )
        return [_view(vault, r) for r in rows]


def previous_session(vault: OpenVault, student_id: str) -> RecordView | None:
    """The latest individual session, to start the next one from (counselors only: it is the
    session's own words)."""
    require(vault.user.role, "view_diagnosis")
    with vault.session() as s:
        r = s.scalars(
            select(Record)
            .where(
                Record.student_id == student_id,
                Record.kind == "session",
                Record.voided_at.is_(None),
            )
            .order_by(Record.occurred_at.desc())
            .limit(1)
        ).first()
        return _view(vault, r) if r else None


@dataclass(frozen=True)
class Upcoming:
    when: dt.datetime
    student_id: str | None
    student_name: str
    what: str
    record_id: str
    timed: bool = False  # booked at a time (an appointment, a next session), not just a day


def upcoming(
    vault: OpenVault,
    until: dt.datetime,
    *,
    now: dt.datetime | None = None,
    student_id: str | None = None,
) -> list[Upcoming]:
    """Appointments, next sessions and follow-ups due up to `until` (overdue ones included),
    the school's or one student's."""
    require(vault.user.role, "view_diagnosis")
    now = now or dt.datetime.now()
    out = []
    where = [Record.due_at.is_not(None), Record.due_at <= until, Record.voided_at.is_(None)]
    if student_id is not None:
        where.append(Record.student_id == student_id)
    with vault.reading() as s:
        rows = s.execute(
            select(Record, Student.name)
            .outerjoin(Student, Record.student_id == Student.id)
            .where(*where)
            .order_by(Record.due_at)
        ).all()
        for r, name in rows:
            if r.kind == "session" and r.due_at <= now:
                continue  # a past 'next appointment' is history, not a task
            if r.kind == "case_conference":
                out += _conference_tasks(r, name or "", until)
                continue
            if r.kind == "appointment":
                what = r.body.get("purpose") or _("Appointment")
            elif r.kind == "session":
                what = _("Next session")
            else:
                what = _("Follow up: {kind}").format(kind=_(KINDS[r.kind].label))
            timed = r.kind in ("appointment", "session")
            out.append(Upcoming(r.due_at, r.student_id, name or "", what, r.id, timed))
    return out


def _conference_tasks(r: Record, name: str, until: dt.datetime) -> list[Upcoming]:
    """Each open task agreed at a case conference, on the day it is due (school and family)."""
    out = []
    for task in open_tasks(r.body):
        if not task.get("due"):
            continue
        when = dt.datetime.combine(dt.date.fromisoformat(task["due"]), FOLLOW_UP_HOUR)
        if when > until:
            break
        side = _(TASK_SIDES.get(task["side"], task["side"]))
        what = _("Plan task ({side}, {owner}): {title}").format(
            side=side, owner=task["owner"], title=task["title"]
        )
        out.append(Upcoming(when, r.student_id, name, what, r.id))
    return out


def workload(vault: OpenVault, start: dt.date, end: dt.date) -> list[Workload]:
    """Per teacher, within [start, end]: what the district counts toward the teaching load."""
    lo, hi = workload_bounds(start, end)
    with vault.session() as s:
        users = {u.id: u.display_name for u in s.scalars(select(User))}
        rows = s.execute(
            select(Record.author_id, Record.kind, Record.body, Record.body_schema).where(
                Record.voided_at.is_(None),
                Record.occurred_at >= lo,
                Record.occurred_at <= hi,
                Record.kind.in_(COUNTED),
            )
        ).all()
    return tally([(a, k, current_body(k, v, b)) for a, k, b, v in rows], users)


def count_records(vault: OpenVault, student_id: str) -> int:
    with vault.session() as s:
        return int(
            s.scalar(
                select(func.count()).select_from(Record).where(Record.student_id == student_id)
            )
            or 0
        )
