"""Applying what the city publishes. Each page is applied with its cursor in one transaction.
An item this computer cannot use (a roster row its schema refuses, a broken scale) is set aside
on its own, with the reason, and told to the city: it never blocks the rest of the page, later
pages or other streams. Nothing from the city ever deletes archive data."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import scalestore
from app.models import (
    AssessmentPlan,
    Grade,
    RefItem,
    School,
    SchoolClass,
    Student,
    SyncConflict,
    WarningRuleSet,
    new_id,
    utcnow,
)
from app.sync import schemas
from app.sync.transport import ProtocolViolation

ROSTER_FIELDS = ("name", "gender", "birth_date", "grade_level", "class_number", "status")


REJECTED_KEY = "sync_rejected"  # {stream: {item id: {version, reason, at}}}


@dataclass
class PullReport:
    applied: dict[str, int] = field(default_factory=dict)
    conflicts: int = 0
    full_downloads: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)  # this session's, to tell the city

    def count(self, stream: str, n: int = 1) -> None:
        self.applied[stream] = self.applied.get(stream, 0) + n


class _Classes:
    """Grades and classes by number, created on demand (a city roster may open a new class)."""

    def __init__(self, s: Session) -> None:
        from app.roster.fields import GRADE_NAMES

        self.s = s
        self.names = GRADE_NAMES
        self.school = s.scalars(select(School)).first()
        self.grades = {g.level: g for g in s.scalars(select(Grade))}
        self.classes = {(c.grade_id, c.number): c for c in s.scalars(select(SchoolClass))}
        self.by_id = {c.id: c for c in self.classes.values()}

    def get(self, level: int, number: int, create: bool = True) -> SchoolClass | None:
        grade = self.grades.get(level)
        if grade is None:
            if not create:
                return None
            grade = Grade(
                id=new_id(),
                school_id=self.school.id,
                level=level,
                name=self.names.get(level, f"{level}年级"),
            )
            self.s.add(grade)
            self.grades[level] = grade
        cls = self.classes.get((grade.id, number))
        if cls is None and create:
            cls = SchoolClass(id=new_id(), grade_id=grade.id, number=number, name=f"{number}班")
            self.s.add(cls)
            self.classes[(grade.id, number)] = cls
            self.by_id[cls.id] = cls
        return cls

    def placement(self, class_id: str | None) -> tuple[int | None, int | None]:
        cls = self.by_id.get(class_id) if class_id else None
        if cls is None:
            return None, None
        grade = next((g for g in self.grades.values() if g.id == cls.grade_id), None)
        return (grade.level if grade else None), cls.number


def _roster_view(st: Student, classes: _Classes) -> dict:
    level, number = classes.placement(st.class_id)
    return {
        "name": st.name,
        "gender": st.gender,
        "birth_date": st.birth_date.isoformat() if st.birth_date else None,
        "grade_level": level,
        "class_number": number,
        "status": st.status,
    }


def _set_student(st: Student, p: dict, classes: _Classes) -> None:
    """Only what the city states: a field it leaves empty keeps this computer's value."""
    from app.roster.names import pinyin_keys

    if st.name != p["name"]:
        st.name = p["name"]
        st.name_pinyin, st.name_initials = pinyin_keys(p["name"])
    if p.get("gender"):
        st.gender = p["gender"]
    if p.get("birth_date"):
        st.birth_date = dt.date.fromisoformat(p["birth_date"])
    if p.get("status"):
        st.status = p["status"]
    if p.get("grade_level") and p.get("class_number"):
        st.class_id = classes.get(p["grade_level"], p["class_number"]).id


# Items written per flush (and read per fetch): one flush of a whole page (up to 1,000 rows)
# is one executemany, and one fetch of it one fetchall, each keeping the GIL for the whole
# batch and so stopping the window (as the roster import did).
FLUSH_EVERY = 200


def apply_student(
    s: Session,
    payload: dict,
    classes: _Classes | None = None,
    existing: Student | None = None,
    *,
    lookup: bool = True,
) -> Student:
    """Create or update a student from a city roster entry (also used to resolve a conflict)."""
    classes = classes or _Classes(s)
    st = existing
    if st is None and lookup:
        st = s.scalars(select(Student).where(Student.student_no == payload["student_no"])).first()
    if st is None:
        from app.roster.names import pinyin_keys

        full, initials = pinyin_keys(payload["name"])
        st = Student(
            id=new_id(),
            student_no=payload["student_no"],
            name=payload["name"],
            name_pinyin=full,
            name_initials=initials,
        )
        s.add(st)
    _set_student(st, payload, classes)
    return st


def _rejected(s: Session) -> dict:
    from app.models import VaultSetting

    row = s.get(VaultSetting, REJECTED_KEY)
    return {k: dict(v) for k, v in ((row.value.get("v") or {}) if row else {}).items()}


def _save_rejected(s: Session, rejected: dict) -> None:
    from app.models import VaultSetting

    rejected = {k: v for k, v in rejected.items() if v}
    row = s.get(VaultSetting, REJECTED_KEY)
    if row is None and not rejected:
        return
    row = row or VaultSetting(key=REJECTED_KEY, value={})
    row.value = {"v": rejected}
    s.add(row)


def rejected_items(s: Session) -> list[dict]:
    """What this computer set aside from the city, newest first, for the 同步 page."""
    out = [
        entry | {"stream": stream}
        for stream, items in _rejected(s).items()
        for entry in items.values()
    ]
    return sorted(out, key=lambda e: e.get("at", ""), reverse=True)


class PageApplier:
    """Applies one page of one stream inside the caller's transaction."""

    def __init__(self, s: Session, stream: str, report: PullReport) -> None:
        self.s = s
        self.stream = stream
        self.report = report
        self._classes: _Classes | None = None
        self.students: dict[str, Student] = {}
        self._parsed_scales: dict = {}

    @property
    def classes(self) -> _Classes:
        if self._classes is None:
            self._classes = _Classes(self.s)
        return self._classes

    def apply(self, items: list[dict]) -> None:
        ids = [item["id"] for item in items]
        refs = {
            r.item_id: r
            for r in self.s.scalars(
                select(RefItem)
                .where(RefItem.stream == self.stream, RefItem.item_id.in_(ids))
                .execution_options(yield_per=FLUSH_EVERY)  # fetched in parts, like the flushes
            )
        }
        if self.stream == "roster":
            self.students = {
                st.student_no: st
                for st in self.s.scalars(
                    select(Student)
                    .where(Student.student_no.in_(ids))
                    .execution_options(yield_per=FLUSH_EVERY)
                )
            }
        rejected = _rejected(self.s)
        mine = rejected.setdefault(self.stream, {})
        with self.s.no_autoflush:
            for n, item in enumerate(items, start=1):
                if n % FLUSH_EVERY == 0:
                    self.s.flush()
                ref = refs.get(item["id"])
                if ref is not None and ref.version >= item["version"]:
                    continue  # a page fetched again after a crash: already applied (or set aside)
                problem = self._problem(item)
                if problem is not None:
                    refs[item["id"]] = self._set_aside(item, ref, problem, mine)
                    continue
                refs[item["id"]] = self._apply_one(item, ref)
                mine.pop(item["id"], None)
        _save_rejected(self.s, rejected)
        self.s.flush()

    def _problem(self, item: dict) -> str | None:
        """Why this computer cannot use the item — checked before anything of it is applied."""
        if item["deleted"]:
            return None
        if item["payload"] is None:
            return "no payload"
        try:
            getattr(self, f"_check_{self.stream}")(item)
        except ProtocolViolation as exc:
            return str(exc)
        except (ValueError, KeyError, TypeError) as exc:
            return repr(exc)[:300]
        return None

    def _check_roster(self, item: dict) -> None:
        schemas.check(schemas.ROSTER_ITEM, item["payload"])
        if item["payload"]["student_no"] != item["id"]:
            raise ProtocolViolation("roster item id differs from its 学籍号")

    def _check_scales(self, item: dict) -> None:
        from app.scales.definition import ScaleDefinitionError, parse_definition

        try:
            d = parse_definition(item["payload"], file=f"city:{item['id']}")
        except ScaleDefinitionError as exc:
            raise ProtocolViolation(f"scale {item['id']}: {exc}") from exc
        if d.id.upper() != item["id"].upper():
            raise ProtocolViolation("scale item id differs from the definition's id")
        self._parsed_scales[item["id"]] = d

    def _check_plans(self, item: dict) -> None:
        schemas.check(schemas.PLAN_ITEM, item["payload"] | {"id": item["id"]})
        dt.date.fromisoformat(item["payload"]["starts_on"])
        dt.date.fromisoformat(item["payload"]["ends_on"])

    def _check_rules(self, item: dict) -> None:
        from app.errors import ValidationError
        from app.risk.ruleset import validate_rule_set as validate_rules

        schemas.check(schemas.RULES_ITEM, item["payload"])
        try:
            # Scales published in this same session count as known.
            known = scalestore.catalogue(self.s) | {d.id: d for d in self._parsed_scales.values()}
            validate_rules(item["payload"]["rules"], known)
        except ValidationError as exc:
            raise ProtocolViolation(f"rules: {exc}") from exc

    def _check_transfers(self, item: dict) -> None:
        schemas.check(schemas.TRANSFER_ITEM, item["payload"])

    def _set_aside(self, item: dict, ref: RefItem | None, reason: str, mine: dict) -> RefItem:
        """The item's version is recorded (so digests agree and a corrected version is taken
        when it comes) but nothing of it is applied; what was applied before stays."""
        if ref is None:
            ref = RefItem(
                stream=self.stream, item_id=item["id"], version=item["version"], payload=None
            )
            self.s.add(ref)
        ref.version = item["version"]
        ref.deleted = item["deleted"]
        ref.received_at = utcnow()
        entry = {"id": item["id"], "version": item["version"], "reason": reason[:300]}
        mine[item["id"]] = entry | {"at": utcnow().isoformat(timespec="seconds")}
        self.report.rejected.append(entry | {"stream": self.stream})
        return ref

    def _apply_one(self, item: dict, ref: RefItem | None) -> RefItem | None:
        if not item["deleted"]:
            if item["payload"] is None:
                raise ProtocolViolation(f"{self.stream}/{item['id']}: no payload")
            getattr(self, f"_{self.stream}")(item, ref)
        if ref is None:
            ref = RefItem(stream=self.stream, item_id=item["id"], version=item["version"])
            self.s.add(ref)
        ref.version = item["version"]
        ref.deleted = item["deleted"]
        ref.payload = None if item["deleted"] else item["payload"]
        ref.received_at = utcnow()
        self.report.count(self.stream)
        return ref

    def _roster(self, item: dict, ref: RefItem | None) -> None:
        p = item["payload"]  # checked by _check_roster
        st = self.students.get(p["student_no"])
        if st is None:
            self.students[p["student_no"]] = apply_student(self.s, p, self.classes, lookup=False)
            return
        stated = [k for k in ROSTER_FIELDS if p.get(k) is not None]
        if p.get("grade_level") is None or p.get("class_number") is None:
            stated = [k for k in stated if k not in ("grade_level", "class_number")]
        shown = _roster_view(st, self.classes)
        local = {k: v for k, v in shown.items() if k in stated}
        wanted = {k: p[k] for k in stated}
        if local == wanted:
            return
        base = {k: (ref.payload or {}).get(k) for k in stated} if ref and ref.payload else None
        if base is not None and base == local:
            _set_student(st, p, self.classes)
            return
        open_conflict = self.s.scalars(
            select(SyncConflict).where(
                SyncConflict.entity == "student",
                SyncConflict.entity_id == p["student_no"],
                SyncConflict.resolved_at.is_(None),
            )
        ).first()
        if open_conflict is None:
            open_conflict = SyncConflict(
                entity="student",
                entity_id=p["student_no"],
                local=shown,
                server=p,
                server_version=item["version"],
            )
            self.s.add(open_conflict)
        else:
            open_conflict.local, open_conflict.server = shown, p
            open_conflict.server_version = item["version"]
        self.report.conflicts += 1

    def _scales(self, item: dict, _ref) -> None:
        self._parsed_scales.pop(item["id"])  # parsed and checked by _check_scales
        # In the vault, in this session's transaction: kept only if the whole session commits.
        scalestore.install(self.s, item["payload"], "city", self.s.info.get("user_id"))

    def _plans(self, item: dict, _ref) -> None:
        p = item["payload"]  # checked by _check_plans
        try:
            plan_id = str(uuid.UUID(item["id"]))
        except ValueError:
            plan_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"xindang-city-plan:{item['id']}"))
        if p.get("classes", "all") == "all":
            class_ids = [c.id for c in self.classes.classes.values()]
        else:
            found = [self.classes.get(g, c, create=False) for g, c in p["classes"]]
            class_ids = [c.id for c in found if c is not None]
        plan = self.s.get(AssessmentPlan, plan_id)
        if plan is None:
            plan = AssessmentPlan(id=plan_id)
            self.s.add(plan)
        plan.name = p["name"]
        plan.scale_ids = [x.upper() for x in p["scale_ids"]]
        plan.class_ids = class_ids
        plan.starts_on = dt.date.fromisoformat(p["starts_on"])
        plan.ends_on = dt.date.fromisoformat(p["ends_on"])

    def _rules(self, item: dict, _ref) -> None:
        from app.db.rulesets import active_rule_set

        rules = item["payload"]["rules"]  # checked by _check_rules
        version, current = active_rule_set(self.s)
        if json.dumps(current, sort_keys=True) != json.dumps(rules, sort_keys=True):
            self.s.add(
                WarningRuleSet(
                    version=version + 1,
                    rules=rules,
                    note=f"市平台发布的规则（第 {item['version']} 版）",
                )
            )

    def _transfers(self, item: dict, _ref) -> None:
        """Kept as the item's payload (its RefItem) for the archive page; checked already."""
