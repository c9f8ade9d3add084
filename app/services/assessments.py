"""Assessment results: one path for kiosk, paper and imported sheets, and critical alerts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import audit, scalestore
from app.errors import ValidationError
from app.i18n import _
from app.models import AssessmentResult, CriticalAlert, Student, new_id, utcnow
from app.scales.definition import ScaleDefinition, load_definition
from app.scales.scoring import ScoreResult, score
from app.services.permissions import allowed, require
from app.services.vaults import OpenVault


@dataclass(frozen=True)
class ResultRow:
    id: str
    student_id: str
    scale_id: str
    scale_version: str
    mode: str
    administered_at: dt.datetime
    total: float | None
    standard_score: float | None
    band_label: str | None
    critical_items: tuple[int, ...]
    valid: bool
    flags: tuple[str, ...]
    status: str
    missing_items: tuple[int, ...] = ()


@dataclass(frozen=True)
class AlertRow:
    id: str
    student_id: str
    student_name: str
    class_label: str
    scale_id: str
    item: int
    answer: int
    official: bool
    raised_at: dt.datetime


def _row(r: AssessmentResult) -> ResultRow:
    return ResultRow(
        r.id,
        r.student_id,
        r.scale_id,
        r.scale_version,
        r.mode,
        r.administered_at,
        r.total,
        r.standard_score,
        r.band_label,
        tuple(r.critical_items or ()),
        r.valid,
        tuple(r.flags or ()),
        r.status,
        tuple(r.missing_items or ()),
    )


def raise_critical_alerts(
    s: Session,
    student_id: str,
    scale_id: str,
    answers: list[int | None],
    *,
    source: str,
    source_id: str | None,
    only_items: set[int] | None = None,
) -> list[CriticalAlert]:
    """Write an alert row for each critical answer not already alerted for this source."""
    defn = scalestore.scale(s, scale_id)
    existing = (
        {
            a.item
            for a in s.scalars(
                select(CriticalAlert).where(
                    CriticalAlert.source_id == source_id, CriticalAlert.scale_id == scale_id
                )
            )
        }
        if source_id
        else set()
    )
    out = []
    for rule in defn.raw.get("critical_items", []):
        item = rule["item"]
        if only_items is not None and item not in only_items:
            continue
        answer = answers[item - 1]
        if answer is None or answer < rule["at_least"] or item in existing:
            continue
        alert = CriticalAlert(
            student_id=student_id,
            scale_id=scale_id,
            item=item,
            answer=answer,
            official=rule["official"],
            source=source,
            source_id=source_id,
        )
        s.add(alert)  # the risk hook raises its warning before this transaction commits
        out.append(alert)
    return out


def _norm_group(s: Session, student_id: str) -> tuple[str | None, int | None]:
    """(gender, grade level) for norm tables, cached per transaction for batch imports."""
    cache = s.info.setdefault("norm_groups", {})
    if not cache:
        from app.models import Grade, SchoolClass

        rows = s.execute(
            select(Student.id, Student.gender, Grade.level)
            .join(SchoolClass, Student.class_id == SchoolClass.id, isouter=True)
            .join(Grade, SchoolClass.grade_id == Grade.id, isouter=True)
        )
        cache.update({sid: (g, lvl) for sid, g, lvl in rows})
    return cache.get(student_id, (None, None))


def store_result(
    s: Session,
    student_id: str,
    scale_id: str,
    answers: list[int | None],
    *,
    mode: str,
    user_id: str | None,
    seconds: list[float] | None = None,
    plan_id: str | None = None,
    administered_at: dt.datetime | None = None,
    verified_by: str | None = None,
    alert_source_id: str | None = None,
) -> tuple[AssessmentResult, ScoreResult]:
    """Score and store in the caller's transaction; critical alerts are written alongside."""
    defn = scalestore.scale(s, scale_id)
    gender, grade = _norm_group(s, student_id)
    result = score(defn, answers, seconds=seconds, gender=gender, grade=grade)
    row = AssessmentResult(
        id=new_id(),
        student_id=student_id,
        plan_id=plan_id,
        scale_id=defn.id,
        scale_version=defn.version,
        engine_version=result.engine_version,
        mode=mode,
        administered_at=administered_at or utcnow(),
        answers=list(answers),
        seconds=list(seconds) if seconds else None,
        total=result.total,
        standard_score=result.standard_score,
        band_id=result.band["id"] if result.band else None,
        band_label=result.band["label"] if result.band else None,
        scores=result.scores,
        subscales=result.subscales,
        norm_t=result.norm_t or None,
        critical_items=result.critical_items,
        valid=result.valid,
        flags=list(result.flags),
        missing_items=list(result.missing_items),  # [] says none blank; NULL: not recorded
        entered_by=user_id,
        verified_by=verified_by,
    )
    s.add(row)
    if result.critical:  # most sheets have none: no alert queries for them
        source_id = alert_source_id or row.id
        raise_critical_alerts(
            s, student_id, defn.id, list(answers), source=mode, source_id=source_id
        )
        s.flush()
        pending = select(CriticalAlert).where(
            CriticalAlert.source_id == source_id,
            CriticalAlert.scale_id == defn.id,
            CriticalAlert.result_id.is_(None),
        )
        for alert in s.scalars(pending):
            alert.result_id = row.id
    audit.record(
        s,
        audit.CREATE,
        object_type="assessment_result",
        object_id=row.id,
        detail={"scale": defn.id, "mode": mode},
    )
    return row, result


def record_result(
    vault: OpenVault,
    student_id: str,
    scale_id: str,
    answers: list[int | None],
    *,
    mode: str,
    seconds: list[float] | None = None,
    plan_id: str | None = None,
    administered_at: dt.datetime | None = None,
    verified_by: str | None = None,
) -> tuple[ResultRow, ScoreResult]:
    require(vault.user.role, "edit_student")
    with vault.session() as s:
        if s.get(Student, student_id) is None:
            raise ValidationError("student", _("This student no longer exists."))
        row, result = store_result(
            s,
            student_id,
            scale_id,
            answers,
            mode=mode,
            user_id=vault.user.id,
            seconds=seconds,
            plan_id=plan_id,
            administered_at=administered_at,
            verified_by=verified_by,
        )
        return _row(row), result


def rescore(vault: OpenVault, result_id: str) -> ResultRow:
    """Score the stored raw answers with the current definition; the old result is superseded."""
    require(vault.user.role, "edit_student")
    with vault.session() as s:
        old = s.get(AssessmentResult, result_id)
        new, _result = store_result(
            s,
            old.student_id,
            old.scale_id,
            list(old.answers),
            mode=old.mode,
            user_id=vault.user.id,
            seconds=old.seconds,
            plan_id=old.plan_id,
            administered_at=old.administered_at,
            verified_by=old.verified_by,
            alert_source_id=old.id,
        )
        new.supersedes_id = old.id
        old.status = "superseded"
        return _row(new)


def history(vault: OpenVault, student_id: str) -> list[ResultRow]:
    """A student's results, newest first (superseded ones excluded). The principal sees the
    date, scale, score and band only: which items were critical or left blank is clinical."""
    require(vault.user.role, "view_students")
    clinical = allowed(vault.user.role, "view_diagnosis")
    with vault.session() as s:
        rows = s.scalars(
            select(AssessmentResult)
            .where(
                AssessmentResult.student_id == student_id,
                AssessmentResult.status == "final",
            )
            .order_by(AssessmentResult.administered_at.desc())
        )
        out = [_row(r) for r in rows]
    if clinical:
        return out
    return [replace(r, critical_items=(), missing_items=()) for r in out]


def open_alerts(vault: OpenVault) -> list[AlertRow]:
    require(vault.user.role, "view_diagnosis")
    from app.models import Grade, SchoolClass

    with vault.reading() as s:
        stmt = (
            select(
                CriticalAlert.id,
                CriticalAlert.student_id,
                Student.name,
                Grade.name,
                SchoolClass.name,
                CriticalAlert.scale_id,
                CriticalAlert.item,
                CriticalAlert.answer,
                CriticalAlert.official,
                CriticalAlert.created_at,
            )
            .join(Student, CriticalAlert.student_id == Student.id)
            .join(SchoolClass, Student.class_id == SchoolClass.id, isouter=True)
            .join(Grade, SchoolClass.grade_id == Grade.id, isouter=True)
            .where(CriticalAlert.acknowledged_at.is_(None))
            .order_by(CriticalAlert.created_at)
        )
        return [
            AlertRow(aid, sid, name, f"{g or ''}{c or ''}", scale, item, answer, official, at)
            for aid, sid, name, g, c, scale, item, answer, official, at in s.execute(stmt)
        ]


def acknowledge_alert(vault: OpenVault, alert_id: str, note: str) -> None:
    """The counselor saw a critical answer and says what happens next (a note is required)."""
    from app.services import alerts

    alerts.acknowledge(vault, "critical", alert_id, note)


def band_distribution(vault: OpenVault, scale_id: str) -> list[tuple[str | None, int]]:
    """(band id, students) over each enrolled student's latest final result of one scale — the
    same counting as the printed screening summary, done by the database."""
    from sqlalchemy import func

    require(vault.user.role, "view_students")
    with vault.reading() as s:
        latest = (
            select(
                AssessmentResult.student_id,
                func.max(AssessmentResult.administered_at).label("at"),
            )
            .where(AssessmentResult.scale_id == scale_id, AssessmentResult.status == "final")
            .group_by(AssessmentResult.student_id)
            .subquery()
        )
        rows = s.execute(
            select(AssessmentResult.band_id, func.count(func.distinct(AssessmentResult.student_id)))
            .join(
                latest,
                (AssessmentResult.student_id == latest.c.student_id)
                & (AssessmentResult.administered_at == latest.c.at),
            )
            .join(Student, Student.id == AssessmentResult.student_id)
            .where(
                AssessmentResult.scale_id == scale_id,
                AssessmentResult.status == "final",
                Student.status == "enrolled",
            )
            .group_by(AssessmentResult.band_id)
        ).all()
    return [(band, int(n)) for band, n in rows]


def scale_catalogue(vault: OpenVault) -> dict[str, ScaleDefinition]:
    """Every scale this vault can administer: shipped ones, with the city's and licensed ones
    kept in the vault in their place."""
    with vault.reading() as s:
        return scalestore.catalogue(s)


def scale_definition(
    vault: OpenVault, scale_id: str, version: str | None = None
) -> ScaleDefinition:
    with vault.reading() as s:
        return scalestore.scale(s, scale_id, version)


def import_scale(vault: OpenVault, path: Path) -> ScaleDefinition:
    """Keep an authorised definition (e.g. a licensed file with item texts) in the vault, where
    backups carry it; a broken file changes nothing."""
    require(vault.user.role, "change_settings")
    d = load_definition(Path(path))
    with vault.session() as s:
        scalestore.install(s, d.raw, "licensed" if d.has_item_texts else "city", vault.user.id)
        audit.record(
            s, audit.UPDATE, object_type="scale", object_id=d.id, detail={"version": d.version}
        )
    return d
