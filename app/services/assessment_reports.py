"""The per-student assessment report: what the scores mean and no more — the scale's indices
on their own scales, validity in plain words, the norm and whether it fits this student, the
change since the last screening with its reliable change index, and the scale's own text."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.db import scalestore
from app.i18n import _
from app.models import AssessmentResult, Grade, SchoolClass, Student
from app.scales.definition import text_of
from app.scales.interpretation import (
    Factor,
    age_on,
    explain_flag,
    factors,
    indices,
    norm_note,
    outside_population,
)
from app.scales.statistics import Z95, reliable_change
from app.services.permissions import require
from app.services.vaults import OpenVault


@dataclass(frozen=True)
class ReportFacts:
    student: str
    scale_id: str
    scale_title: str
    when: str
    total: str
    band: str
    indices: tuple[tuple[str, str], ...]
    factors: tuple[Factor, ...]
    lie: str | None
    validity: tuple[str, ...]  # plain sentences; empty when valid and unflagged
    critical: str
    norm: str
    change: str | None
    interpretation: str


def _fmt(v) -> str:
    return "" if v is None else f"{v:g}"


def change_text(defn, before: AssessmentResult | None, total: float | None) -> str | None:
    """The change in total since the previous screening, judged with Jacobson & Truax's RCI
    when the definition cites a reliability (and says so when it does not)."""
    if before is None or before.total is None or total is None:
        return None
    diff = total - before.total
    text = _("Last time ({day}) the total was {a}; now {b} (change {d:+g}).").format(
        day=f"{before.administered_at:%Y-%m-%d}", a=_fmt(before.total), b=_fmt(total), d=diff
    )
    rel = defn.raw.get("reliability")
    if not rel:
        return (
            text
            + " "
            + _(
                "The scale's definition cites no reliability, so no reliable change index is given."
            )
        )
    rc = reliable_change(before.total, total, rel["r"], rel["sd"])
    verdict = {
        "up": _("a reliable rise"),
        "down": _("a reliable fall"),
        "none": _("no reliable change (within measurement error)"),
    }[rc.direction]
    return (
        text
        + " "
        + _(
            "Reliable change index RCI = {rci:.2f} ({verdict}; |RCI| > {z:.2f} counts). "
            "Jacobson & Truax 1991, with r = {r} and SD = {sd} ({source})."
        ).format(rci=rc.rci, verdict=verdict, z=Z95, r=rel["r"], sd=rel["sd"], source=rel["source"])
    )


def report_facts(vault: OpenVault, result_id: str) -> ReportFacts:
    require(vault.user.role, "view_diagnosis")
    with vault.reading() as s:
        r = s.get(AssessmentResult, result_id)
        defn = scalestore.scale(s, r.scale_id, r.scale_version)  # the version it was scored with
        name, birth, grade, gname, cname = s.execute(
            select(Student.name, Student.birth_date, Grade.level, Grade.name, SchoolClass.name)
            .join(SchoolClass, Student.class_id == SchoolClass.id, isouter=True)
            .join(Grade, SchoolClass.grade_id == Grade.id, isouter=True)
            .where(Student.id == r.student_id)
        ).one()
        before = s.scalars(
            select(AssessmentResult)
            .where(
                AssessmentResult.student_id == r.student_id,
                AssessmentResult.scale_id == r.scale_id,
                AssessmentResult.status == "final",
                AssessmentResult.valid.is_(True),
                AssessmentResult.administered_at < r.administered_at,
            )
            .order_by(AssessmentResult.administered_at.desc())
            .limit(1)
        ).first()
        scores, subscales = dict(r.scores or {}), dict(r.subscales or {})
        total = _fmt(r.total)
        if r.standard_score is not None:
            total += "（" + _("standard score {v}").format(v=_fmt(r.standard_score)) + "）"
        outside = outside_population(defn, age_on(birth, r.administered_at.date()), grade)
        lie = None
        rule = defn.raw.get("validity", {}).get("lie_scale")
        if rule and scores.get("lie") is not None:
            lie = _("{v} (answers are not to be relied on at {n} or more)").format(
                v=_fmt(scores["lie"]), n=rule["invalid_at_least"]
            )
        facts = ReportFacts(
            student=f"{name}（{gname or ''}{cname or ''}）",
            scale_id=defn.id,
            scale_title=defn.title,
            when=f"{r.administered_at:%Y-%m-%d %H:%M}",
            total=total,
            band=r.band_label or (_("not banded (sheet not valid)") if not r.valid else ""),
            indices=tuple((label, _fmt(v)) for label, v in indices(defn, scores)),
            factors=tuple(factors(defn, subscales, dict(r.norm_t or {}))),
            lie=lie,
            validity=tuple(explain_flag(f) for f in r.flags or ()),
            critical="、".join(map(str, r.critical_items or ())),
            norm=norm_note(defn, outside),
            change=change_text(defn, before, r.total) if r.valid else None,
            interpretation=text_of(defn.raw.get("interpretation")),
        )
    return facts


def assessment_report(vault: OpenVault, result_id: str) -> tuple[bytes, str]:
    from app.reports.summaries import build_assessment_report
    from app.services.printing import _audit_print, _marking

    facts = report_facts(vault, result_id)
    marking, serial = _marking(vault, f"测评报告 · {facts.scale_id}")
    pdf = build_assessment_report(facts, marking)
    _audit_print(
        vault,
        object_type="assessment_result",
        object_id=result_id,
        detail={"serial": serial, "document": "assessment_report"},
    )
    return pdf, serial
