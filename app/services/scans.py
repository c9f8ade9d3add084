"""Answer sheets from scans: read every page, group a student's pages into their sheet, hold
each sheet for review with the cut-out of every item a person must confirm, and only then store
the result (mode "scan", linked to its pages). A critical item is always confirmed by a person,
marked or blank — and a critical mark raises its alert the moment the page is read."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
from sqlalchemy import select

from app.db import audit, scalestore
from app.errors import ValidationError
from app.i18n import _
from app.models import AssessmentPlan, ScanSheet, Student, utcnow
from app.scan import images
from app.scan.read import ONE, PageRead, Unreadable, crop_item, read_page
from app.services.assessments import ResultRow, _row, raise_critical_alerts, store_result
from app.services.permissions import require
from app.services.scan_print import sheet_layout, tokens
from app.services.vaults import OpenVault, get_setting

KEEP_IMAGES = "keep_scan_images"


@dataclass
class ScanReport:
    sheets: int = 0
    read: int = 0  # pages read
    needs_review: list[dict] = field(default_factory=list)
    ready: list[str] = field(default_factory=list)  # sheet ids with nothing to confirm
    unreadable: list[dict] = field(default_factory=list)
    critical: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "sheets": self.sheets,
            "read": self.read,
            "needs_review": self.needs_review,
            "unreadable": self.unreadable,
        }


@dataclass(frozen=True)
class ReviewItem:
    item: int
    state: str
    value: int | None
    confidence: float
    critical: bool
    crop: bytes  # PNG
    options: tuple[int, ...]


@dataclass(frozen=True)
class SheetReview:
    id: str
    student_name: str
    student_no: str
    class_label: str
    scale_id: str
    source: str
    items: tuple[ReviewItem, ...]


def _critical_items(defn) -> set[int]:
    return {c["item"] for c in defn.raw.get("critical_items", [])}


def scan_files(
    vault: OpenVault,
    paths: list[Path],
    *,
    plan_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ScanReport:
    """Read every page of the files; each student's sheet is kept for review (or marked ready
    when nothing needs a person). Pages that cannot be read are listed with the reason."""
    require(vault.user.role, "edit_student")
    files = images.files_in(paths)
    report = ScanReport()
    by_token = tokens(vault)
    with vault.reading() as s:
        plans = {p.id: p for p in s.scalars(select(AssessmentPlan))}
        catalogue = scalestore.catalogue(s)
    layouts: dict[tuple[str, str], object] = {}
    defs: dict[tuple[str, str], object] = {}

    def sheet_for(payload):
        key = (payload.scale, payload.version)
        if key not in layouts:
            if payload.scale not in catalogue:
                raise Unreadable(_("the QR code names a scale this archive does not know"))
            with vault.reading() as s2:
                defn = scalestore.scale(s2, payload.scale, payload.version)
            defs[key], layouts[key] = defn, sheet_layout(defn)
        return layouts[key]

    read: dict[tuple[str, str, str], list[tuple[str, int, PageRead]]] = {}
    for n, path in enumerate(files, start=1):
        try:
            for index, gray in enumerate(images.pages(path), start=1):
                where = f"{path.name}" + (f" 第{index}页" if index > 1 else "")
                try:
                    page = read_page(gray, sheet_for)
                except Unreadable as exc:
                    report.unreadable.append({"file": where, "reason": exc.reason})
                    continue
                sid = by_token.get(page.payload.token)
                if sid is None:
                    report.unreadable.append(
                        {
                            "file": where,
                            "reason": _("the student on this sheet is not in this archive"),
                        }
                    )
                    continue
                plan = next(
                    (
                        p
                        for p in plans
                        if page.payload.plan and p.upper().startswith(page.payload.plan)
                    ),
                    None,
                )
                plan = plan or plan_id
                key = (sid, page.payload.scale, plan or "")
                read.setdefault(key, []).append((where, index, page))
                report.read += 1
        except images.BadImage as exc:
            report.unreadable.append({"file": path.name, "reason": exc.reason})
        if progress:
            progress(n, len(files))
    keep = bool(get_setting(vault, KEEP_IMAGES, False))
    for (sid, scale, plan), pages in read.items():
        version = pages[0][2].payload.version
        defn = defs[(scale, version)]
        sheet = _hold(vault, sid, plan or None, defn, pages, keep, report)
        report.sheets += 1
        if sheet is not None:
            report.ready.append(sheet)
    return report


def _hold(vault, sid, plan, defn, pages, keep, report) -> str | None:
    """Keep one student's sheet for review; returns its id when nothing needs a person."""
    layout = sheet_layout(defn)
    critical = _critical_items(defn)
    answers: list[int | None] = [None] * defn.item_count
    seen: dict[int, object] = {}
    crops: dict[str, str] = {}
    review: list[dict] = []
    images_kept: dict[str, str] = {}
    for _where, _index, page in pages:
        bubbles = layout.bubbles_of(page.payload.page)
        for it in page.items:
            seen[it.item] = it
            answers[it.item - 1] = it.value if it.state == ONE else None
            if it.state != ONE or it.item in critical:
                review.append(
                    {
                        "item": it.item,
                        "state": it.state,
                        "value": it.value,
                        "confidence": it.confidence,
                    }
                )
                row = [b for b in bubbles if b.item == it.item]
                crops[str(it.item)] = base64.b64encode(crop_item(page.page, row)).decode()
        if keep:
            ok, jpg = cv2.imencode(".jpg", page.page, [cv2.IMWRITE_JPEG_QUALITY, 70])
            images_kept[str(page.payload.page)] = base64.b64encode(jpg.tobytes()).decode()
    for missing in sorted(set(range(1, defn.item_count + 1)) - set(seen)):
        review.append({"item": missing, "state": "missing_page", "value": None, "confidence": 0})
    source = "、".join(sorted({w for w, _i, _p in pages}))
    with vault.session() as s:
        student = s.get(Student, sid)
        row = s.scalars(  # a page scanned again replaces the sheet still waiting
            select(ScanSheet).where(
                ScanSheet.student_id == sid,
                ScanSheet.scale_id == defn.id,
                ScanSheet.status.in_(("review", "ready")),
                ScanSheet.plan_id == plan if plan else ScanSheet.plan_id.is_(None),
            )
        ).first() or ScanSheet(student_id=sid, plan_id=plan, scale_id=defn.id)
        row.scale_version = defn.version
        row.status = "review" if review else "ready"
        row.source, row.answers, row.items = source, answers, review
        row.crops, row.pages = crops or None, images_kept or None
        s.add(row)
        s.flush()
        likely = [seen[i].value if i in seen else None for i in range(1, defn.item_count + 1)]
        alerts = raise_critical_alerts(
            s, sid, defn.id, likely, source="scan", source_id=row.id
        )  # the likeliest reading of a critical item warns now, whatever the review says
        if alerts:
            report.critical.append((student.student_no, tuple(a.item for a in alerts)))
        audit.record(
            s,
            audit.CREATE,
            object_type="scan_sheet",
            object_id=row.id,
            detail={"scale": defn.id, "to_confirm": len(review)},
        )
        if review:
            report.needs_review.append(
                {
                    "file": source,
                    "student_no": student.student_no,
                    "items": [r["item"] for r in review],
                }
            )
            return None
        return row.id


def accept_confident(vault: OpenVault, sheet_ids: list[str] | None = None) -> list[ResultRow]:
    """Store the sheets that needed no person (`--accept-confident`)."""
    require(vault.user.role, "edit_student")
    out = []
    with vault.session() as s:
        q = select(ScanSheet).where(ScanSheet.status == "ready")
        if sheet_ids is not None:
            q = q.where(ScanSheet.id.in_(sheet_ids))
        for sheet in s.scalars(q):
            out.append(_store(s, sheet, list(sheet.answers), vault.user.id))
    return out


def _store(s, sheet: ScanSheet, answers: list, user_id: str) -> ResultRow:
    row, _result = store_result(
        s,
        sheet.student_id,
        sheet.scale_id,
        answers,
        mode="scan",
        user_id=user_id,
        plan_id=sheet.plan_id,
        alert_source_id=sheet.id,
    )
    sheet.status, sheet.result_id = "accepted", row.id
    sheet.reviewed_by, sheet.reviewed_at = user_id, utcnow()
    sheet.crops = None  # the cut-outs served the review; the pages stay only if kept
    return _row(row)


def review_queue(vault: OpenVault) -> list[SheetReview]:
    """Sheets waiting for a person, in class and 学号 order, each item with its cut-out."""
    from app.models import Grade, SchoolClass

    require(vault.user.role, "edit_student")
    out = []
    with vault.session() as s:
        rows = s.execute(
            select(ScanSheet, Student.name, Student.student_no, Grade.name, SchoolClass.name)
            .join(Student, Student.id == ScanSheet.student_id)
            .join(SchoolClass, Student.class_id == SchoolClass.id, isouter=True)
            .join(Grade, SchoolClass.grade_id == Grade.id, isouter=True)
            .where(ScanSheet.status == "review")
            .order_by(Grade.level, SchoolClass.number, Student.student_no)
        ).all()
        for sheet, name, no, g, c in rows:
            defn = scalestore.scale(s, sheet.scale_id, sheet.scale_version)
            critical = _critical_items(defn)
            crops = sheet.crops or {}
            items = tuple(
                ReviewItem(
                    r["item"],
                    r["state"],
                    r["value"],
                    r["confidence"],
                    r["item"] in critical,
                    base64.b64decode(crops.get(str(r["item"]), "")),
                    tuple(defn.allowed_values(r["item"])),
                )
                for r in sheet.items
            )
            out.append(
                SheetReview(
                    sheet.id, name, no, f"{g or ''}{c or ''}", sheet.scale_id, sheet.source, items
                )
            )
    return out


def confirm(vault: OpenVault, sheet_id: str, values: dict[int, int | None]) -> ResultRow:
    """Every item the sheet held for a person, confirmed (a value, or None for blank): the
    sheet is scored and stored; the confirmations are audited."""
    require(vault.user.role, "edit_student")
    with vault.session() as s:
        sheet = s.get(ScanSheet, sheet_id)
        if sheet is None or sheet.status != "review":
            raise ValidationError("sheet", _("This sheet is not waiting for review."))
        defn = scalestore.scale(s, sheet.scale_id, sheet.scale_version)
        wanted = [r["item"] for r in sheet.items]
        left = [i for i in wanted if i not in values]
        if left:
            raise ValidationError(
                "items",
                _("Items {items} are not confirmed yet.").format(items="、".join(map(str, left))),
            )
        answers = list(sheet.answers)
        for item in wanted:
            v = values[item]
            if v is not None and not defn.is_allowed(item, v):
                raise ValidationError(
                    "items",
                    _("Item {item}: {value} is not an answer on this sheet.").format(
                        item=item, value=v
                    ),
                )
            answers[item - 1] = v
        row = _store(s, sheet, answers, vault.user.id)
        audit.record(
            s,
            audit.UPDATE,
            object_type="scan_sheet",
            object_id=sheet.id,
            detail={"confirmed": {str(k): values[k] for k in wanted}},
        )
        return row


def pending_count(vault: OpenVault) -> tuple[int, int]:
    """(sheets to review, sheets ready to accept)."""
    with vault.reading() as s:
        states = list(
            s.scalars(select(ScanSheet.status).where(ScanSheet.status.in_(("review", "ready"))))
        )
    return states.count("review"), states.count("ready")
