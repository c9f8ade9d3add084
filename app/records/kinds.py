"""The fields of each record kind, so one service validates and one form renders them all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.errors import ValidationError
from app.i18n import N_, _
from app.records.choices import (
    CONFERENCE_BASIS,
    CONTACT_MODES,
    CRISIS_TRIGGERS,
    LECTURE_AUDIENCES,
    LIFE_EVENTS,
    OBSERVED_SIGNS,
    OBSERVER_ROLES,
    PROBLEMS,
    REFERRAL_STATUS,
    RETURN_DOCUMENTS,
    RISK,
    SESSION_MODES,
    TEMPLATES,
    URGENCY,
)
from app.roster.fields import STATUS_LABELS
from app.versioned import stepped


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    type: str  # text, longtext, int, date, datetime, bool, choice, multichoice, steps, tasks
    choices: dict[str, str] = field(default_factory=dict)
    required: bool = False
    default: object = None
    hidden: bool = False  # kept and saved, not shown on the form


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    scope: str  # student, class, group, school (a lecture, training: no student or class)
    fields: tuple[Field, ...]
    private: bool = False
    parent_kind: str | None = None
    participants: bool = False
    sections: bool = False  # the session template's text sections
    # Where a record of this kind goes in the printed case file (CASE_FILE_SECTIONS): every kind
    # says so, so nothing is left out of a printout by omission (a test holds each kind to it).
    case_file: str = ""
    # When it falls due on the lists of things to do: "" never; UNTIL_DONE its own date until its
    # `done` is ticked; otherwise the name of its date or time field (a follow-up, a next
    # session). Stored with the record as `due_at`, so the lists read an index, not every body.
    due: str = ""
    # The body's format: raise `schema` when a field is renamed or its meaning changes, and add
    # the step from the old number to the new one to `upgrades` (kept for ever). Stored bodies
    # are brought up to date when read (`current_body`) and stamped when written.
    schema: int = 1
    upgrades: Mapping = field(default_factory=dict, hash=False, compare=False)
    # The district workload column its records count in (app/records/workload.py CATEGORIES;
    # "" not counted), and the field of minutes that adds to the hours, if any.
    workload: str = ""
    minutes: str = ""
    # A body field whose value chooses another column: (field, {value: column}).
    workload_by: tuple = ()
    # A record of this kind is evidence for the warning rules: saving, changing or voiding one
    # re-runs its student's rules in the same transaction.
    evidence: bool = False
    # Offered in the 新建记录 menu and editable in its form; False for what the archive writes
    # itself (a roster status change), which the timeline shows and the case file prints.
    listed: bool = True


def current_body(kind: str, schema: int | None, body: object) -> object:
    """A stored body in its kind's current form; a body from a newer release, an unknown kind
    or a sealed body is returned as it is."""
    k = KINDS.get(kind)
    found = schema or 1
    if k is None or not isinstance(body, dict) or found >= k.schema:
        return body
    return stepped(body, found, k.schema, k.upgrades)


def body_schema(kind: str) -> int:
    k = KINDS.get(kind)
    return k.schema if k is not None else 1


UNTIL_DONE = "until_done"
OPEN_TASKS = "open_tasks"  # the earliest due date of the body's tasks not yet done
FOLLOW_UP_HOUR = dt.time(8, 0)


def open_tasks(body: dict) -> list[dict]:
    """The agreed tasks not yet done, earliest due first."""
    tasks = body.get("tasks") if isinstance(body, dict) else None
    pending = [t for t in tasks or () if isinstance(t, dict) and not t.get("done")]
    return sorted(pending, key=lambda t: str(t.get("due") or "9999"))


def due_at(kind: str, occurred_at: dt.datetime, body: dict) -> dt.datetime | None:
    """When a record of `kind` with this body falls due, or None."""
    k = KINDS.get(kind)
    if k is None or not k.due or not isinstance(body, dict):
        return None
    if k.due == UNTIL_DONE:
        return None if body.get("done") else occurred_at
    if k.due == OPEN_TASKS:
        dated = [t["due"] for t in open_tasks(body) if t.get("due")]
        return (
            dt.datetime.combine(dt.date.fromisoformat(dated[0]), FOLLOW_UP_HOUR) if dated else None
        )
    value = body.get(k.due)
    if not value:
        return None
    try:
        if len(str(value)) <= 10:
            return dt.datetime.combine(dt.date.fromisoformat(str(value)), FOLLOW_UP_HOUR)
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


CASE_FILE_SECTIONS = {
    "sessions": N_("Cases and individual sessions"),
    "groups": N_("Group counseling"),
    "lessons": N_("Mental-health lessons and class meetings"),
    "contacts": N_("Home–school contacts"),
    "referrals": N_("Referrals"),
    "observations": N_("Observations"),
    "life_events": N_("Life events"),
    "conferences": N_("Case conferences and intervention plans"),
    "crisis": N_("Crisis interventions"),
    "hospital": N_("Escort to hospital and return to school"),
    "roster": N_("Roster changes (transfer, graduation, suspension)"),
    "appointments": N_("Appointments"),
    "private_notes": N_("Private process notes (printed only when explicitly chosen)"),
}


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind(
            "case",
            N_("Counseling case"),
            "student",
            (
                Field(
                    "problems", N_("Presenting problems"), "multichoice", PROBLEMS, required=True
                ),
                Field(
                    "source",
                    N_("How the student came"),
                    "choice",
                    {
                        "self": N_("Came on their own"),
                        "head_teacher": N_("Referred by the head teacher"),
                        "guardian": N_("Referred by a guardian"),
                        "screening": N_("Assessment screening"),
                        "other": N_("Other"),
                    },
                ),
                Field("goals", N_("Goals"), "longtext"),
                Field(
                    "consent",
                    N_("Consent"),
                    "choice",
                    {
                        "student": N_("Student agreed"),
                        "student_guardian": N_("Student and guardian agreed"),
                        "none": N_("Not obtained"),
                    },
                ),
                Field(
                    "status",
                    N_("Status"),
                    "choice",
                    {"open": N_("Open"), "closed": N_("Closed")},
                    default="open",
                ),
                Field("closed_on", N_("Closed on"), "date"),
                Field("closing_summary", N_("Closing summary"), "longtext"),
            ),
            case_file="sessions",
        ),
        Kind(
            "session",
            N_("Individual session"),
            "student",
            (
                Field("duration_min", N_("Duration (minutes)"), "int", default=40),
                Field("mode", N_("Mode"), "choice", SESSION_MODES, default="in_person"),
                Field("referred_by", N_("Referred by"), "text"),
                Field(
                    "template",
                    N_("Template"),
                    "choice",
                    {k: v[0] for k, v in TEMPLATES.items()},
                    default="school",
                ),
                # The risk screen starts empty: a hurried save must never record "no risk".
                Field("risk_suicide", N_("Suicidal ideation"), "choice", RISK, required=True),
                Field("risk_self_harm", N_("Self-harm"), "choice", RISK, required=True),
                Field("risk_others", N_("Harm to others"), "choice", RISK, required=True),
                Field("interventions", N_("Interventions"), "longtext"),
                Field("homework", N_("Homework"), "longtext"),
                Field("next_appointment", N_("Next appointment"), "datetime"),
            ),
            parent_kind="case",
            sections=True,
            case_file="sessions",
            due="next_appointment",
            workload="sessions",
            minutes="duration_min",
            evidence=True,
        ),
        Kind(
            "private_note",
            N_("Private process note"),
            "student",
            (Field("text", N_("Note"), "longtext", required=True),),
            private=True,
            parent_kind="case",
            case_file="private_notes",
        ),
        Kind(
            "group_program",
            N_("Group counseling program"),
            "group",
            (
                Field("theme", N_("Theme"), "text", required=True),
                Field("target_group", N_("Target group"), "text"),
                Field("facilitator", N_("Facilitator"), "text"),
                Field("planned_sessions", N_("Planned sessions"), "int", default=6),
            ),
            case_file="groups",
        ),
        Kind(
            "group_session",
            N_("Group session"),
            "group",
            (
                Field("topic", N_("Topic"), "text", required=True),
                Field("duration_min", N_("Duration (minutes)"), "int", default=60),
                Field("summary", N_("Summary"), "longtext"),
            ),
            parent_kind="group_program",
            participants=True,
            case_file="groups",
            workload="group_sessions",
        ),
        Kind(
            "lesson",
            N_("Lesson or class meeting"),
            "class",
            (
                Field(
                    "lesson_type",
                    N_("Type"),
                    "choice",
                    {"lesson": N_("Mental-health lesson"), "class_meeting": N_("Class meeting")},
                    default="lesson",
                ),
                Field("topic", N_("Topic"), "text", required=True),
                Field("teacher", N_("Teacher"), "text"),
                Field("duration_min", N_("Duration (minutes)"), "int", default=40),
            ),
            case_file="lessons",
            workload="lessons",
            workload_by=("lesson_type", {"class_meeting": "class_meetings"}),
        ),
        Kind(
            "contact",
            N_("Home–school contact"),
            "student",
            (
                Field("guardian", N_("Guardian"), "text", required=True),
                Field("mode", N_("Mode"), "choice", CONTACT_MODES, required=True, default="phone"),
                Field("content", N_("Content"), "longtext", required=True),
                Field("agreements", N_("Agreements"), "longtext"),
                Field("follow_up_on", N_("Follow up on"), "date"),
            ),
            case_file="contacts",
            due="follow_up_on",
            workload="contacts",
            workload_by=("mode", {"home_visit": "home_visits"}),
        ),
        Kind(
            "referral",
            N_("Referral"),
            "student",
            (
                Field("institution", N_("Institution"), "text", required=True),
                Field("reason", N_("Reason"), "longtext", required=True),
                Field("guardian_consent", N_("Guardian consent"), "bool", default=False),
                Field(
                    "status",
                    N_("Status"),
                    "choice",
                    REFERRAL_STATUS,
                    required=True,
                    default="suggested",
                ),
                Field("feedback", N_("Hospital feedback"), "longtext"),
                Field("follow_up_on", N_("Follow up on"), "date"),
            ),
            case_file="referrals",
            due="follow_up_on",
            evidence=True,
        ),
        Kind(
            "observation",
            N_("Observation"),
            "student",
            (
                Field(
                    "source_role",
                    N_("Reported by"),
                    "choice",
                    OBSERVER_ROLES,
                    required=True,
                    default="head_teacher",
                ),
                Field("source_name", N_("Reporter's name"), "text"),
                Field("signs", N_("What was noticed"), "multichoice", OBSERVED_SIGNS),
                Field("content", N_("What was observed"), "longtext", required=True),
                Field(
                    "urgency", N_("Urgency"), "choice", URGENCY, required=True, default="routine"
                ),
                Field("reporter_id", N_("Committee member"), "text", hidden=True),
            ),
            case_file="observations",
            evidence=True,
        ),
        Kind(
            "committee_check",
            N_("Committee member: nothing unusual"),
            "class",
            (
                Field("member_id", N_("Committee member"), "text", required=True, hidden=True),
                Field("member_name", N_("Committee member"), "text"),
            ),
            case_file="observations",
        ),
        Kind(
            "crisis",
            N_("Crisis intervention"),
            "student",
            (
                Field(
                    "trigger",
                    N_("Started from"),
                    "choice",
                    CRISIS_TRIGGERS,
                    required=True,
                    default="direct",
                ),
                Field("warning_id", N_("Warning"), "text", hidden=True),
                Field("steps", N_("Protocol steps"), "steps"),
                Field("notes", N_("Notes"), "longtext"),
            ),
            participants=True,
            case_file="crisis",
            workload="crisis",
        ),
        Kind(
            "case_conference",
            N_("Case conference"),
            "student",
            (
                Field("basis", N_("Why a conference"), "choice", CONFERENCE_BASIS, required=True),
                Field("school_participants", N_("School participants"), "text", required=True),
                Field("outside_participants", N_("Outside professionals"), "text"),
                Field("findings", N_("Findings"), "longtext", required=True),
                Field("plan", N_("Intervention plan"), "longtext", required=True),
                Field("parent_name", N_("Parent informed: who"), "text"),
                Field("parent_informed_at", N_("Parent informed: when"), "datetime"),
                Field("parent_mode", N_("Parent informed: how"), "choice", CONTACT_MODES),
                Field("parent_response", N_("Parent's response"), "longtext"),
                Field("tasks", N_("Tasks agreed with the family"), "tasks"),
                Field("review_on", N_("Review the plan on"), "date"),
            ),
            case_file="conferences",
            due=OPEN_TASKS,
        ),
        Kind(
            "hospital_escort",
            N_("Escort to hospital"),
            "student",
            (
                Field("hospital", N_("Hospital"), "text", required=True),
                Field("parent_called_by", N_("Who called the parent"), "text", required=True),
                Field("parent_called_at", N_("Parent called at"), "datetime"),
                Field("escorted_by", N_("Escorted by"), "text", required=True),
                Field("handed_over_to", N_("Handed over to"), "text"),
                Field("handed_over_at", N_("Handed over at"), "datetime"),
                Field("notes", N_("Notes"), "longtext"),
            ),
            case_file="hospital",
        ),
        Kind(
            "return_to_school",
            N_("Return to school"),
            "student",
            (
                Field("documents", N_("Documents received"), "multichoice", RETURN_DOCUMENTS),
                Field(
                    "meeting_participants",
                    N_("Return meeting: who took part"),
                    "text",
                    required=True,
                ),
                Field("adjustments", N_("Adjustments agreed"), "longtext"),
                Field("first_follow_up", N_("First follow-up on"), "date", required=True),
                Field("follow_up_every_days", N_("Then every (days)"), "int", default=7),
                Field("follow_up_count", N_("Number of follow-ups"), "int", default=4),
            ),
            case_file="hospital",
        ),
        Kind(
            "lecture",
            N_("Lecture"),
            "school",
            (
                Field(
                    "audience",
                    N_("For"),
                    "choice",
                    LECTURE_AUDIENCES,
                    required=True,
                    default="parents",
                ),
                Field("topic", N_("Topic"), "text", required=True),
                Field("venue", N_("Where (家长学校, 社区家长课堂 …)"), "text"),
                Field("attendees", N_("Attendees"), "int"),
                Field("duration_min", N_("Duration (minutes)"), "int", default=60),
            ),
            case_file="lessons",
            workload="parent_lectures",
            workload_by=("audience", {"teachers": "teacher_lectures"}),
        ),
        Kind(
            "training",
            N_("Training received"),
            "school",
            (
                Field("topic", N_("Topic"), "text", required=True),
                Field("organizer", N_("Organizer"), "text"),
                Field("duration_min", N_("Duration (minutes)"), "int", default=180),
            ),
            case_file="lessons",
            workload="training",
            minutes="duration_min",
        ),
        Kind(
            "status_change",
            N_("Roster status change"),
            "student",
            (
                Field("status", N_("Status"), "choice", STATUS_LABELS, required=True),
                Field("since", N_("Since"), "date", required=True),
                Field("reason", N_("Reason"), "text"),
            ),
            case_file="roster",
            listed=False,
        ),
        Kind(
            "life_event",
            N_("Life event"),
            "student",
            (
                Field("event_type", N_("Event"), "choice", LIFE_EVENTS, required=True),
                Field("description", N_("Description"), "longtext"),
            ),
            case_file="life_events",
            evidence=True,
        ),
        Kind(
            "appointment",
            N_("Appointment"),
            "student",
            (
                Field("purpose", N_("Purpose"), "text"),
                Field("done", N_("Done"), "bool", default=False),
                Field("plan_id", N_("Plan"), "text", hidden=True),  # made by a return plan
            ),
            case_file="appointments",
            due=UNTIL_DONE,
        ),
    )
}
STUDENT_KINDS = tuple(k for k, v in KINDS.items() if v.scope == "student")


def get_kind(key: str) -> Kind:
    if key not in KINDS:
        raise ValidationError("kind", _("Unknown record kind {kind}.").format(kind=key))
    return KINDS[key]
