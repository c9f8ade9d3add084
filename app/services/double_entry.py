"""Double data entry as REDCap does it: a paper sheet is typed twice, blind, each pass kept
apart with who and when; where the passes differ someone looks at the paper and chooses (the
first value, the second, or a third); only then does the sheet enter the archive.

The second pass is by a different user, or by the same user with a reason that is audited.
A critical answer in either pass raises its alert at once (the risk hook turns it into a
warning in the same transaction): reconciliation may take a day, a risk signal may not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import audit, scalestore
from app.errors import ValidationError
from app.i18n import _
from app.models import DoubleEntrySheet, Student, User, utcnow
from app.scales.paper_layout import cell_reference
from app.scales.scoring import score
from app.services.assessments import ResultRow, _row, raise_critical_alerts, store_result
from app.services.permissions import require
from app.services.vaults import OpenVault


class SameEnterer(ValidationError):
    """The second pass would be typed by the one who typed the first: a reason is required."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(
            "second_pass",
            _(
                "You typed the first pass of these sheets yourself ({names}). Double entry "
                "needs a second person; if nobody else can, give the reason (it is audited)."
            ).format(names="、".join(names)),
        )


@dataclass(frozen=True)
class Difference:
    item: int
    first: int | None
    second: int | None
    cell: str  # where on the printed answer sheet to look
    allowed: tuple[int, ...]


@dataclass(frozen=True)
class SheetState:
    id: str
    student_id: str
    student_name: str
    student_no: str
    class_label: str
    scale_id: str
    plan_id: str | None
    first_by: str
    first_at: dt.datetime
    second_by: str | None
    second_at: dt.datetime | None
    differences: tuple[Difference, ...]
    provisional_band: str | None  # a positive pass's band first, before reconciliation
    provisional_positive: bool  # a pass scores in a band the warning rules call positive
    critical_items: tuple[int, ...]  # marked critical in either pass

    @property
    def awaiting(self) -> str:
        return "second_pass" if self.second_by is None else "reconcile"


@dataclass(frozen=True)
class PassOutcome:
    first: tuple[str, ...]  # students whose first pass was kept
    matched: tuple[ResultRow, ...]  # second pass agreed: in the archive now
    to_reconcile: tuple[str, ...]  # sheet ids whose passes differ
    critical: tuple[tuple[str, tuple[int, ...]], ...]  # (student id, items) alerted now


@dataclass(frozen=True)
class Agreement:
    sheets: int  # sheets with both passes typed
    items: int  # items compared
    differing: int
    open_sheets: int  # awaiting a second pass or reconciliation

    @property
    def rate(self) -> float | None:
        return None if not self.items else 100 * (self.items - self.differing) / self.items


def differences(defn, first: list[int | None], second: list[int | None]) -> tuple[Difference, ...]:
    if len(first) != len(second):
        raise ValidationError("entry", _("The two entries have different numbers of answers."))
    return tuple(
        Difference(i, a, b, cell_reference(i), tuple(defn.allowed_values(i)))
        for i, (a, b) in enumerate(zip(first, second, strict=True), start=1)
        if a != b
    )


def _open(scale_id: str, plan_id: str | None):
    """Open sheets of one scale and plan (no plan: those typed without one)."""
    return select(DoubleEntrySheet).where(
        DoubleEntrySheet.scale_id == scale_id,
        DoubleEntrySheet.status == "open",
        DoubleEntrySheet.plan_id == plan_id if plan_id else DoubleEntrySheet.plan_id.is_(None),
    )


def _open_sheet(s: Session, student_id: str, scale_id: str, plan_id: str | None):
    q = _open(scale_id, plan_id).where(DoubleEntrySheet.student_id == student_id)
    return s.scalars(q).first()


def passes_due(
    vault: OpenVault, scale_id: str, plan_id: str | None, student_ids: list[str]
) -> dict[str, tuple[int, str]]:
    """Per student with an open sheet: (the pass due next, who typed the first) — the entry
    grid says which pass it is taking and never shows the first pass's values."""
    require(vault.user.role, "edit_student")
    names = _user_names(vault)
    wanted = set(student_ids)
    q = _open(scale_id.upper(), plan_id)
    with vault.reading() as s:  # one query for the class, not one per student
        return {
            sheet.student_id: (2 if sheet.second_by is None else 3, names.get(sheet.first_by, ""))
            for sheet in s.scalars(q)
            if sheet.student_id in wanted
        }


def _user_names(vault: OpenVault) -> dict[str, str]:
    with vault.reading() as s:
        return dict(s.execute(select(User.id, User.display_name)).all())


def save_passes(
    vault: OpenVault,
    scale_id: str,
    sheets: list[tuple[str, list[int | None]]],
    *,
    plan_id: str | None = None,
    same_user_reason: str | None = None,
) -> PassOutcome:
    """Keep one pass of each (student, answers): the first if the student has no open sheet,
    else the second. A second pass that agrees everywhere is reconciled at once (the result is
    stored in the same transaction); one that differs waits for `reconcile`. All or nothing."""
    require(vault.user.role, "edit_student")
    reason = (same_user_reason or "").strip() or None
    me = vault.user.id
    first, matched, differing, critical = [], [], [], []
    with vault.session() as s:
        defn = scalestore.scale(s, scale_id)
        own = []
        for sid, _answers in sheets:
            sheet = _open_sheet(s, sid, defn.id, plan_id)
            if sheet is not None and sheet.second_by is None and sheet.first_by == me:
                own.append(s.get(Student, sid).name)
        if own and reason is None:
            raise SameEnterer(own)
        now = utcnow()
        for sid, answers in sheets:
            if len(answers) != defn.item_count:
                raise ValidationError("entry", _("A sheet has the wrong number of answers."))
            score(defn, answers)  # a value not on the sheet is refused here, nothing kept
            sheet = _open_sheet(s, sid, defn.id, plan_id)
            if sheet is not None and sheet.second_by is not None:
                raise ValidationError(
                    "entry",
                    _("{name}'s sheet was typed twice already and awaits reconciliation.").format(
                        name=s.get(Student, sid).name
                    ),
                )
            if sheet is None:
                sheet = DoubleEntrySheet(
                    student_id=sid,
                    plan_id=plan_id,
                    scale_id=defn.id,
                    status="open",
                    first_answers=list(answers),
                    first_by=me,
                    first_at=now,
                )
                s.add(sheet)
                s.flush()
                first.append(sid)
                pass_no = 1
            else:
                sheet.second_answers, sheet.second_by, sheet.second_at = list(answers), me, now
                if sheet.first_by == me:
                    sheet.same_user_reason = reason
                pass_no = 2
            alerts = raise_critical_alerts(
                s, sid, defn.id, list(answers), source="paper", source_id=sheet.id
            )
            if alerts:
                critical.append((sid, tuple(a.item for a in alerts)))
            audit.record(
                s,
                audit.CREATE,
                object_type="double_entry_pass",
                object_id=sheet.id,
                detail={
                    "pass": pass_no,
                    "scale": defn.id,
                    "same_user": pass_no == 2 and sheet.first_by == me,
                },
            )
            if pass_no == 2:
                diffs = differences(defn, sheet.first_answers, sheet.second_answers)
                sheet.mismatches = len(diffs)
                if diffs:
                    differing.append(sheet.id)
                else:
                    matched.append(_finish(s, sheet, list(answers), {}))
    return PassOutcome(tuple(first), tuple(matched), tuple(differing), tuple(critical))


def _finish(s: Session, sheet: DoubleEntrySheet, answers: list, chosen: dict) -> ResultRow:
    """Into the archive: the result, scored from the reconciled answers, in this transaction."""
    row, _result = store_result(
        s,
        sheet.student_id,
        sheet.scale_id,
        answers,
        mode="paper",
        user_id=sheet.first_by,
        plan_id=sheet.plan_id,
        verified_by=sheet.second_by,
        alert_source_id=sheet.id,  # the passes' alerts are attached to the result
    )
    sheet.status, sheet.result_id = "reconciled", row.id
    sheet.chosen = {str(k): v for k, v in chosen.items()} or None
    sheet.reconciled_at = utcnow()
    return _row(row)


def reconcile(vault: OpenVault, sheet_id: str, chosen: dict[int, int | None]) -> ResultRow:
    """Each differing item gets the value on the paper (first, second or a third): the sheet is
    scored and stored, who chose is kept with every choice in the audit log."""
    require(vault.user.role, "edit_student")
    with vault.session() as s:
        sheet = s.get(DoubleEntrySheet, sheet_id)
        if sheet is None or sheet.status != "open" or sheet.second_answers is None:
            raise ValidationError("sheet", _("This sheet is not waiting for reconciliation."))
        defn = scalestore.scale(s, sheet.scale_id)
        diffs = differences(defn, sheet.first_answers, sheet.second_answers)
        left = [d.item for d in diffs if d.item not in chosen]
        if left:
            raise ValidationError(
                "chosen",
                _("Items {items} still differ: choose the value on the paper.").format(
                    items="、".join(map(str, left))
                ),
            )
        answers = list(sheet.first_answers)
        for d in diffs:
            value = chosen[d.item]
            if value is not None and not defn.is_allowed(d.item, value):
                raise ValidationError(
                    "chosen",
                    _("Item {item}: {value} is not an answer on this sheet.").format(
                        item=d.item, value=value
                    ),
                )
            answers[d.item - 1] = value
        sheet.reconciled_by = vault.user.id
        row = _finish(s, sheet, answers, {d.item: chosen[d.item] for d in diffs})
        audit.record(
            s,
            audit.UPDATE,
            object_type="double_entry_sheet",
            object_id=sheet.id,
            detail={
                "reconciled": [
                    {"item": d.item, "first": d.first, "second": d.second, "chosen": chosen[d.item]}
                    for d in diffs
                ]
            },
        )
        return row


def open_sheets(vault: OpenVault, plan_id: str | None = None) -> list[SheetState]:
    """Sheets not yet in the archive, those to reconcile first, in class and 学号 order."""
    from app.models import Grade, SchoolClass
    from app.services.warning_rules import active_rule_set

    require(vault.user.role, "edit_student")
    names = _user_names(vault)
    out = []
    with vault.session() as s:
        _v, rules = active_rule_set(s)
        positive = rules.get("positive_bands", {})
        q = (
            select(DoubleEntrySheet, Student.name, Student.student_no, Grade.name, SchoolClass.name)
            .join(Student, Student.id == DoubleEntrySheet.student_id)
            .join(SchoolClass, Student.class_id == SchoolClass.id, isouter=True)
            .join(Grade, SchoolClass.grade_id == Grade.id, isouter=True)
            .where(DoubleEntrySheet.status == "open")
            .order_by(Grade.level, SchoolClass.number, Student.student_no)
        )
        if plan_id:
            q = q.where(DoubleEntrySheet.plan_id == plan_id)
        for sheet, name, no, grade, klass in s.execute(q):
            defn = scalestore.scale(s, sheet.scale_id)
            passes = [sheet.first_answers] + (
                [sheet.second_answers] if sheet.second_answers is not None else []
            )
            bands, crit = [], set()
            for answers in passes:
                result = score(defn, answers)
                crit.update(result.critical_items)
                if result.band:
                    bands.append(result.band)
            hot = [b for b in bands if b["id"] in positive.get(defn.id, ())]
            band = (hot or bands or [None])[0]
            diffs = (
                differences(defn, sheet.first_answers, sheet.second_answers)
                if sheet.second_answers is not None
                else ()
            )
            out.append(
                SheetState(
                    sheet.id,
                    sheet.student_id,
                    name,
                    no or "",
                    f"{grade or ''}{klass or ''}",
                    sheet.scale_id,
                    sheet.plan_id,
                    names.get(sheet.first_by, ""),
                    sheet.first_at,
                    names.get(sheet.second_by, "") if sheet.second_by else None,
                    sheet.second_at,
                    diffs,
                    band["label"] if band else None,
                    bool(hot),
                    tuple(sorted(crit)),
                )
            )
    out.sort(key=lambda x: x.awaiting != "reconcile")
    return out


def agreement(vault: OpenVault, plan_id: str | None) -> Agreement:
    """How often the two passes agreed, per plan: the figure a data manager reports."""
    require(vault.user.role, "edit_student")
    with vault.reading() as s:
        q = select(
            DoubleEntrySheet.scale_id,
            DoubleEntrySheet.mismatches,
            DoubleEntrySheet.status,
            DoubleEntrySheet.second_by,
        )
        q = q.where(
            DoubleEntrySheet.plan_id == plan_id if plan_id else DoubleEntrySheet.plan_id.is_(None)
        )
        rows = s.execute(q).all()
        sizes = {sid: scalestore.scale(s, sid).item_count for sid in {r[0] for r in rows}}
    both = [r for r in rows if r[3] is not None]
    return Agreement(
        len(both),
        sum(sizes[r[0]] for r in both),
        sum(r[1] or 0 for r in both),
        sum(1 for r in rows if r[2] == "open"),
    )
