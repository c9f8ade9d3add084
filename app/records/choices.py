"""The choices and vocabulary of the record kinds: what a field may hold, in the words the form
shows (msgids), and the one rule that reads them (an observation's urgency)."""

from __future__ import annotations

from app.i18n import N_

PROBLEMS = {
    "academic": N_("Academic"),
    "relationships": N_("Relationships"),
    "emotions": N_("Emotions"),
    "family": N_("Family"),
    "puberty": N_("Puberty"),
    "internet": N_("Internet use"),
    "self": N_("Self"),
    "other": N_("Other"),
}
RISK = {"none": N_("None"), "low": N_("Low"), "medium": N_("Medium"), "high": N_("High")}
SESSION_MODES = {
    "in_person": N_("In person"),
    "phone": N_("Phone"),
    "online": N_("Online"),
    "other": N_("Other"),
}
CONTACT_MODES = {
    "phone": N_("Phone call"),
    "meeting": N_("Meeting"),
    "home_visit": N_("Home visit"),
    "written": N_("Written notice"),
}
REFERRAL_STATUS = {
    "suggested": N_("Referral suggested"),
    "referred": N_("Referred"),
    "seen": N_("Seen by the institution"),
    "feedback": N_("Feedback received"),
    "return_assessed": N_("Return-to-school assessment done"),
}
OBSERVER_ROLES = {
    "head_teacher": N_("Head teacher"),
    "committee": N_("Class mental-health committee member"),
    "teacher": N_("Subject teacher"),
    "other": N_("Other"),
}
OBSERVED_SIGNS = {
    "low_mood": N_("Low mood, crying"),
    "withdrawn": N_("Withdrawn, alone"),
    "conflict": N_("Conflict with classmates"),
    "bullied": N_("Bullied or excluded"),
    "absent": N_("Absent or late often"),
    "talk_of_death": N_("Talked about death or not wanting to live"),
    "self_harm_signs": N_("Signs of self-harm"),
    "other": N_("Other"),
}
URGENCY = {
    "routine": N_("Routine"),
    "soon": N_("Soon (within days)"),
    "urgent": N_("Urgent (today)"),
}
URGENT_SIGNS = frozenset({"talk_of_death", "self_harm_signs"})


def observation_urgency(body: object) -> str:
    """As the reporter chose, except that talk of death or signs of self-harm are urgent
    whatever was chosen: a hurried "routine" must not hold such a report back."""
    if not isinstance(body, dict):
        return "routine"
    if URGENT_SIGNS & set(body.get("signs") or ()):
        return "urgent"
    return body.get("urgency") or "routine"


LIFE_EVENTS = {
    "family_change": N_("Major family change"),
    "bereavement": N_("Bereavement"),
    "bullying": N_("Bullying"),
    "academic_crisis": N_("Academic crisis"),
    "self_harm": N_("Self-harm or suicide attempt"),
    "other": N_("Other"),
}
CRISIS_TRIGGERS = {
    "warning": N_("A warning"),
    "critical": N_("A critical answer"),
    "direct": N_("Directly"),
}
CRISIS_STEPS = {
    "ensure_safety": N_("Ensure the student's safety (never left alone)"),
    "inform_principal": N_("Inform the principal"),
    "inform_guardians": N_("Inform the guardians"),
    "hand_over": N_("Hand over to the guardians"),
    "referral": N_("Referral to a medical institution"),
    "safety_plan": N_("Safety plan agreed"),
    "return_assessment": N_("Return-to-school assessment"),
    "follow_up_schedule": N_("Follow-up schedule set"),
}
CONFERENCE_BASIS = {
    "diagnosis": N_("Known diagnosis on arrival"),
    "red_warning": N_("Level 1 (red) warning"),
    "return": N_("Return to school after treatment"),
    "other": N_("Other"),
}
LECTURE_AUDIENCES = {
    "parents": N_("Parents (家长学校, 社区家长课堂)"),
    "teachers": N_("Teachers"),
}
TASK_SIDES = {"school": N_("School"), "family": N_("Family")}
RETURN_DOCUMENTS = {
    "diagnosis": N_("Diagnosis"),
    "certificate": N_("Certificate fit to return"),
    "medication": N_("Medication advice"),
    "other": N_("Other"),
}
MAX_FOLLOW_UPS = 20
TEMPLATES = {
    "school": (
        N_("School format"),
        (
            ("complaint", N_("Presenting concern")),
            ("process", N_("Process")),
            ("assessment", N_("Assessment")),
            ("plan", N_("Plan")),
        ),
    ),
    "soap": (
        N_("SOAP"),
        (
            ("s", N_("Subjective")),
            ("o", N_("Objective")),
            ("a", N_("Assessment")),
            ("p", N_("Plan")),
        ),
    ),
    "dap": (N_("DAP"), (("d", N_("Data")), ("a", N_("Assessment")), ("p", N_("Plan")))),
}
