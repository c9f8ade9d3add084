"""Printing for students and parents: answer sheets, complete questionnaires (for scales whose
texts ship), the feedback sheet and the parent letter — under a neutral title the counselor
sets per scale (心理健康问卷 A, B … by default), in the roster order of paper entry."""

from __future__ import annotations

import datetime as dt

from app.errors import ValidationError
from app.i18n import _
from app.reports.definition_text import option_legend
from app.reports.student_papers import (
    Item,
    Person,
    build_answer_sheets,
    build_feedback_sheets,
    build_parent_letters,
    build_questionnaires,
)
from app.scales.definition import text_of
from app.services import assessments, network, students, vaults
from app.services.permissions import require
from app.services.vaults import OpenVault

KINDS = ("answer_sheets", "questionnaires", "feedback", "parent_letters")
TITLES_KEY = "neutral_titles"


def neutral_title(vault: OpenVault, scale_id: str) -> str:
    """The title students see for this scale: the counselor's, else 心理健康问卷 and a letter
    that follows the catalogue's order (stable between prints)."""
    titles = vaults.get_setting(vault, TITLES_KEY, {}) or {}
    key = scale_id.upper()
    if titles.get(key):
        return titles[key]
    ids = list(assessments.scale_catalogue(vault))
    index = ids.index(key) if key in ids else 0
    letter = chr(ord("A") + index % 26)
    return f"心理健康问卷 {letter}"


def set_neutral_title(vault: OpenVault, scale_id: str, title: str) -> None:
    """Kept for the next print (and the kiosk's heading); a title naming a condition is the
    counselor's choice, but an empty one is refused."""
    require(vault.user.role, "edit_student")
    title = title.strip()
    if not title:
        raise ValidationError("title", _("Give the questionnaire a title students may see."))
    with vault.session() as s:
        titles = dict(vaults.get_setting_in(s, TITLES_KEY, {}) or {})
        titles[scale_id.upper()] = title
        vaults.set_setting_in(s, TITLES_KEY, titles)


def _people(vault: OpenVault, class_id: str | None) -> list[Person]:
    if class_id is None:
        return []
    rows = students.search_students(
        vault, students.StudentFilter(class_id=class_id, status="enrolled"), sort="name"
    )
    return [Person(r.name, f"{r.grade}{r.class_name}", r.student_no) for r in rows]


def _contact(vault: OpenVault, class_id: str | None) -> str:
    rows = (
        students.search_students(
            vault, students.StudentFilter(class_id=class_id, status="enrolled"), limit=1
        )
        if class_id
        else []
    )
    if rows:
        for c in network.network_for(vault, rows[0].id):
            if c.role == "counselor":
                return f"{c.name} {c.phone or ''}".strip()
    return vault.user.display_name


def print_papers(
    vault: OpenVault,
    kind: str,
    scale_id: str,
    class_id: str | None = None,
    title: str | None = None,
) -> tuple[bytes, str]:
    """One of KINDS for a class (or one blank copy); audited like every printed document."""
    from app.services.printing import _audit_print, _marking, _school_name

    require(vault.user.role, "edit_student")
    if kind not in KINDS:
        raise ValidationError("kind", _("Unknown kind of paper."))
    defn = assessments.scale_definition(vault, scale_id)
    title = title or neutral_title(vault, defn.id)
    people = _people(vault, class_id)
    marking, serial = _marking(vault, title)
    if kind == "answer_sheets":
        pdf = build_answer_sheets(title, defn.item_count, option_legend(defn), people, marking)
    elif kind == "questionnaires":
        if not defn.has_item_texts:
            raise ValidationError(
                "scale",
                _(
                    "This scale's item texts are not shipped (its licence does not allow it): "
                    "print answer sheets and hand out the publisher's booklet."
                ),
            )
        items = [
            Item(
                i,
                text_of(defn.item_texts[i]),
                tuple((o.value, text_of(o.label)) for o in defn.options_for(i)),
            )
            for i in range(1, defn.item_count + 1)
        ]
        pdf = build_questionnaires(
            title, text_of(defn.raw.get("instructions")), items, people, marking
        )
    elif kind == "feedback":
        pdf = build_feedback_sheets(
            title, people, _("the counseling room"), _contact(vault, class_id), marking
        )
    else:
        pdf = build_parent_letters(
            title,
            people,
            _school_name(vault),
            _contact(vault, class_id),
            f"{dt.date.today():%Y年%m月%d日}",
            marking,
        )
    _audit_print(
        vault,
        object_type="scale",
        detail={
            "serial": serial,
            "document": kind,
            "scale": defn.id,
            "count": len(people),
        },
    )
    return pdf, serial
