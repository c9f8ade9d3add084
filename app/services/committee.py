"""The 心理委员 network: each class's committee members (students, for a term), their reports
as structured observations that feed the warning rules, and the classes whose members have not
reported within the school's rhythm (weekly by default).

A member reports to the counselor and receives nothing: no slip, no notification, no warning
about a classmate is ever addressed to a student (services/network.py refuses it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.db import audit
from app.errors import ValidationError
from app.i18n import _
from app.models import CommitteeMember, Grade, Record, SchoolClass, Student
from app.records.choices import OBSERVED_SIGNS, URGENCY
from app.services import records
from app.services.permissions import require
from app.services.vaults import OpenVault, get_setting, set_setting

RHYTHM = "committee_report_every_days"
DEFAULT_RHYTHM = 7
LOOK_BACK = 120  # days of reports read for the rhythm (an older last report shows as none)


@dataclass(frozen=True)
class Member:
    id: str
    class_id: str
    class_label: str
    student_id: str
    name: str
    term_start: dt.date
    term_end: dt.date | None

    def serving(self, day: dt.date) -> bool:
        return self.term_start <= day and (self.term_end is None or day <= self.term_end)


def _members(s) -> list[Member]:
    q = (
        select(CommitteeMember, Student.name, Grade.name, SchoolClass.name)
        .join(Student, CommitteeMember.student_id == Student.id)
        .join(SchoolClass, CommitteeMember.class_id == SchoolClass.id)
        .join(Grade, SchoolClass.grade_id == Grade.id)
        .order_by(Grade.level, SchoolClass.number, CommitteeMember.term_start)
    )
    return [
        Member(m.id, m.class_id, f"{g}{c}", m.student_id, name, m.term_start, m.term_end)
        for m, name, g, c in s.execute(q)
    ]


def members(vault: OpenVault) -> list[Member]:
    """Every member, past and present, in school order."""
    require(vault.user.role, "view_diagnosis")
    with vault.reading() as s:
        return _members(s)


def appoint(
    vault: OpenVault, student_id: str, term_start: dt.date, term_end: dt.date | None = None
) -> str:
    """A student of the class becomes its 心理委员 from `term_start` (to `term_end`, if known)."""
    require(vault.user.role, "edit_student")
    if term_end is not None and term_end < term_start:
        raise ValidationError("term_end", _("The term ends before it starts."))
    with vault.session() as s:
        st = s.get(Student, student_id)
        if st is None or st.status != "enrolled" or st.class_id is None:
            raise ValidationError("student", _("Only an enrolled student of a class can serve."))
        if any(m.student_id == student_id and m.serving(term_start) for m in _members(s)):
            raise ValidationError("student", _("{name} already serves.").format(name=st.name))
        m = CommitteeMember(
            class_id=st.class_id, student_id=student_id, term_start=term_start, term_end=term_end
        )
        s.add(m)
        s.flush()
        audit.record(s, audit.CREATE, object_type="committee_member", object_id=m.id)
        return m.id


def end_term(vault: OpenVault, member_id: str, on: dt.date) -> None:
    require(vault.user.role, "edit_student")
    with vault.session() as s:
        m = s.get(CommitteeMember, member_id)
        if m is None:
            raise ValidationError("member", _("This committee member no longer exists."))
        if on < m.term_start:
            raise ValidationError("term_end", _("The term ends before it starts."))
        m.term_end = on
        audit.record(s, audit.UPDATE, object_type="committee_member", object_id=m.id)


def _serving(s, member_id: str, day: dt.date) -> Member:
    found = next((m for m in _members(s) if m.id == member_id), None)
    if found is None or not found.serving(day):
        raise ValidationError("member", _("This student is not serving as committee member."))
    return found


def report(
    vault: OpenVault,
    member_id: str,
    about_student_id: str,
    *,
    content: str,
    signs: list[str] = (),
    urgency: str = "routine",
    at: dt.datetime | None = None,
) -> records.RecordView:
    """What a member noticed about a classmate: an observation (evidence for the rules, in the
    same transaction), who reported it and when."""
    require(vault.user.role, "edit_student")
    at = at or dt.datetime.now()
    if urgency not in URGENCY or any(x not in OBSERVED_SIGNS for x in signs):
        raise ValidationError("urgency", _("Choose what was noticed and how urgent it is."))
    with vault.reading() as s:
        member = _serving(s, member_id, at.date())
        about = s.get(Student, about_student_id)
        if about is None or about.class_id != member.class_id:
            raise ValidationError(
                "student", _("A committee member reports on classmates of their own class.")
            )
    return records.create_record(
        vault,
        "observation",
        student_id=about_student_id,
        occurred_at=at,
        body={
            "source_role": "committee",
            "source_name": member.name,
            "signs": list(signs),
            "content": content,
            "urgency": urgency,
            "reporter_id": member.id,
        },
    )


def nothing_to_report(vault: OpenVault, member_id: str, at: dt.datetime | None = None) -> None:
    """The member's report for the period: nothing unusual noticed (it counts for the rhythm)."""
    require(vault.user.role, "edit_student")
    at = at or dt.datetime.now()
    with vault.reading() as s:
        member = _serving(s, member_id, at.date())
    records.create_record(
        vault,
        "committee_check",
        class_id=member.class_id,
        occurred_at=at,
        body={"member_id": member.id, "member_name": member.name},
    )


def rhythm(vault: OpenVault) -> int:
    return int(get_setting(vault, RHYTHM, DEFAULT_RHYTHM) or DEFAULT_RHYTHM)


def set_rhythm(vault: OpenVault, days: int) -> None:
    if not 1 <= int(days) <= 60:
        raise ValidationError("days", _("Between 1 and 60 days."))
    set_setting(vault, RHYTHM, int(days))


@dataclass(frozen=True)
class Missing:
    class_id: str
    class_label: str
    members: tuple[str, ...]
    last_report: dt.date | None


def missing_reports(vault: OpenVault, today: dt.date | None = None) -> list[Missing]:
    """Classes whose serving members have not reported (a concern or nothing unusual) within
    the rhythm, in school order."""
    require(vault.user.role, "view_diagnosis")
    today = today or dt.date.today()
    every = rhythm(vault)
    with vault.reading() as s:
        serving = [m for m in _members(s) if m.serving(today)]
        ids = {m.id for m in serving}
        last: dict[str, dt.date] = {}
        since = dt.datetime.combine(today - dt.timedelta(days=LOOK_BACK), dt.time.min)
        q = select(Record.kind, Record.body, Record.occurred_at).where(
            Record.kind.in_(("observation", "committee_check")),
            Record.voided_at.is_(None),
            Record.occurred_at >= since,
        )
        for kind, body, when in s.execute(q):
            key = "reporter_id" if kind == "observation" else "member_id"
            who = body.get(key) if isinstance(body, dict) else None
            if who in ids:
                last[who] = max(last.get(who, when.date()), when.date())
    out: dict[str, Missing] = {}
    for m in serving:
        seen = last.get(m.id)
        prev = out.get(m.class_id)
        latest = max(filter(None, (seen, prev.last_report if prev else None)), default=None)
        names = (*(prev.members if prev else ()), m.name)
        out[m.class_id] = Missing(m.class_id, m.class_label, names, latest)
    return [
        x for x in out.values() if x.last_report is None or (today - x.last_report).days >= every
    ]
