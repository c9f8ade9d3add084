"""Screening figures as a psychologist reads them: per class, grade, school and sex, this
semester beside the last — counts, positive rates and mean totals with 95 % intervals — and how
many students changed reliably between the two screenings. Invalid sheets are never in a rate
or a mean: they are counted on their own (they need a re-test)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from app.db import scalestore
from app.models import AssessmentResult, Grade, SchoolClass, Student
from app.records.semesters import semester_label
from app.scales.statistics import Interval, mean_interval, reliable_change, wilson
from app.services.permissions import require
from app.services.vaults import OpenVault
from app.services.warning_rules import active_rule_set


@dataclass(frozen=True)
class GroupFigure:
    group: str
    semester: str
    valid: int
    invalid: int
    positive: int
    rate: Interval | None
    mean: Interval | None


@dataclass(frozen=True)
class ClassRow:
    label: str
    roster: int
    taken: int
    valid: int
    invalid: int
    bands: tuple[int, ...]  # valid sheets per band, in the definition's order
    positive: int


@dataclass(frozen=True)
class ChangeCounts:
    pairs: int
    up: int
    down: int
    unchanged: int
    source: str


@dataclass(frozen=True)
class ScreeningStatistics:
    scale_id: str
    scale_title: str
    semester: str
    last_semester: str
    band_labels: tuple[str, ...]
    classes: tuple[ClassRow, ...]
    figures: tuple[GroupFigure, ...]
    change: ChangeCounts | None
    trend: tuple[tuple[str, float], ...]  # positive rate (%) among valid sheets, per semester


@dataclass(frozen=True)
class _Sheet:
    band: str | None
    valid: bool
    total: float | None


def _latest_per_semester(rows) -> dict[str, dict[str, _Sheet]]:
    """semester → student → their latest final sheet of that semester."""
    out: dict[str, dict[str, _Sheet]] = defaultdict(dict)
    labels: dict[dt.date, str] = {}
    for sid, band, valid, total, when in rows:  # ordered by time: the last one stays
        day = when.date()
        sem = labels.get(day) or labels.setdefault(day, semester_label(day))
        out[sem][sid] = _Sheet(band, bool(valid), total)
    return out


def _figure(group: str, semester: str, sheets: list[_Sheet], positive: set) -> GroupFigure:
    valid = [x for x in sheets if x.valid]
    k = sum(1 for x in valid if x.band in positive)
    return GroupFigure(
        group,
        semester,
        len(valid),
        len(sheets) - len(valid),
        k,
        wilson(k, len(valid)),
        mean_interval([x.total for x in valid if x.total is not None]),
    )


def statistics(
    vault: OpenVault, scale_id: str, today: dt.date | None = None
) -> ScreeningStatistics:
    require(vault.user.role, "view_diagnosis")
    today = today or dt.date.today()
    with vault.reading() as s:
        defn = scalestore.scale(s, scale_id)
        _v, rules = active_rule_set(s)
        roster = s.execute(
            select(Student.id, Student.gender, Grade.name, SchoolClass.name)
            .join(SchoolClass, Student.class_id == SchoolClass.id)
            .join(Grade, SchoolClass.grade_id == Grade.id)
            .where(Student.status == "enrolled")
            .order_by(Grade.level, SchoolClass.number, Grade.name, SchoolClass.name)
        ).all()
        rows = s.execute(
            select(
                AssessmentResult.student_id,
                AssessmentResult.band_id,
                AssessmentResult.valid,
                AssessmentResult.total,
                AssessmentResult.administered_at,
            )
            .where(AssessmentResult.scale_id == defn.id, AssessmentResult.status == "final")
            .order_by(AssessmentResult.administered_at)
        ).all()
    positive = set(rules.get("positive_bands", {}).get(defn.id, ()))
    by_sem = _latest_per_semester(rows)
    current = semester_label(today)
    if current not in by_sem and by_sem:  # '2026春' < '2026秋' < '2027春' as strings
        current = max(by_sem)
    last = _previous(current)
    bands = [b["id"] for b in defn.raw.get("bands", {}).get("ranges", [])]
    labels = tuple(b["label"]["zh"] for b in defn.raw.get("bands", {}).get("ranges", []))

    groups: dict[str, list[str]] = defaultdict(list)
    order: list[str] = ["全校", "男", "女"]
    class_of: dict[str, str] = {}
    for sid, gender, gname, cname in roster:
        klass = f"{gname}{cname}"
        class_of[sid] = klass
        groups["全校"].append(sid)
        if gender in ("M", "F"):
            groups["男" if gender == "M" else "女"].append(sid)
        for key in (gname, klass):
            if key not in groups:
                order.append(key)
            groups[key].append(sid)

    classes = []
    now = by_sem.get(current, {})
    per_class: dict[str, list[str]] = defaultdict(list)
    for sid, _g, _gn, _cn in roster:
        per_class[class_of[sid]].append(sid)
    for klass, members in per_class.items():
        sheets = [now[sid] for sid in members if sid in now]
        valid = [x for x in sheets if x.valid]
        classes.append(
            ClassRow(
                klass,
                len(members),
                len(sheets),
                len(valid),
                len(sheets) - len(valid),
                tuple(sum(1 for x in valid if x.band == b) for b in bands),
                sum(1 for x in valid if x.band in positive),
            )
        )
    figures = []
    for group in order:
        members = groups.get(group, [])
        if not members:
            continue
        for sem in (current, last):
            table = by_sem.get(sem, {})
            sheets = [table[sid] for sid in members if sid in table]
            if sheets or sem == current:
                figures.append(_figure(group, sem, sheets, positive))
    change = _change(defn, by_sem.get(last, {}), now, set(groups["全校"]))
    trend = tuple(
        (sem, 100 * f.rate.estimate)
        for sem in sorted(by_sem)
        if (f := _figure("", sem, list(by_sem[sem].values()), positive)).rate is not None
    )
    return ScreeningStatistics(
        defn.id,
        defn.title,
        current,
        last,
        labels,
        tuple(classes),
        tuple(figures),
        change,
        trend,
    )


def _previous(label: str) -> str:
    """'2026秋' → '2026春'; '2027春' → '2026秋'."""
    year, half = int(label[:4]), label[4:]
    return f"{year}春" if half == "秋" else f"{year - 1}秋"


def _change(defn, before: dict, after: dict, enrolled: set) -> ChangeCounts | None:
    rel = defn.raw.get("reliability")
    if not rel:
        return None
    up = down = same = 0
    for sid in enrolled:
        a, b = before.get(sid), after.get(sid)
        if not (a and b and a.valid and b.valid and a.total is not None and b.total is not None):
            continue
        direction = reliable_change(a.total, b.total, rel["r"], rel["sd"]).direction
        up += direction == "up"
        down += direction == "down"
        same += direction == "none"
    return ChangeCounts(up + down + same, up, down, same, f"r = {rel['r']}, SD = {rel['sd']}")
