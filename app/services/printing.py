"""Confidential printing: gather what the chosen sections show, render in memory, and record the
document's serial and contents in the audit log. Saving to a file is a separate, explicit step
that encrypts the PDF (AES-256) unless the admin allows plain export."""

from __future__ import annotations

import datetime as dt
import io
import secrets
from pathlib import Path

from app.atomic_write import atomic_write
from app.db import audit
from app.errors import PermissionDenied, ValidationError
from app.i18n import _
from app.records.choices import TEMPLATES
from app.records.kinds import KINDS
from app.records.semesters import semester_label
from app.risk.levels import status_name
from app.services import assessments, records, students, vaults, warnings
from app.services.permissions import ADMIN, require
from app.services.vaults import OpenVault

PRINT = "print"


def _audit_print(vault: OpenVault, **entry) -> None:
    """Every print is recorded: its serial, the document and what it contained."""
    with vault.session() as s:
        audit.record(s, PRINT, **entry)


def new_serial(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now()
    return f"XD{now:%Y%m%d}-{secrets.token_hex(3).upper()}"


def _value(field, value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if field.type == "choice":
        return _(field.choices.get(value, value))
    if field.type == "multichoice":
        return "、".join(_(field.choices.get(v, v)) for v in value)
    if field.type == "steps":
        from app.records.choices import CRISIS_STEPS

        return "；".join(
            f"{_(CRISIS_STEPS.get(k, k))} {str(v).replace('T', ' ')}" for k, v in value.items()
        )
    if field.type == "datetime":
        return str(value)[:16].replace("T", " ")
    if field.type == "tasks":
        from app.records.choices import TASK_SIDES

        return "；".join(
            f"{_(TASK_SIDES.get(t['side'], t['side']))}·{t['owner']}：{t['title']}"
            + (f"（{t['due']}前）" if t.get("due") else "")
            + ("（已完成）" if t.get("done") else "")
            for t in value
        )
    return str(value)


def record_text(kind: str, body: dict) -> str:
    k = KINDS[kind]
    lines = [
        f"{_(f.label)}：{_value(f, body[f.key])}"
        for f in k.fields
        if not f.hidden and body.get(f.key) not in (None, "", [], {})
    ]
    if k.sections:
        labels = dict(TEMPLATES[body.get("template", "school")][1])
        lines += [
            f"{_(labels.get(key, key))}：{text}"
            for key, text in (body.get("sections") or {}).items()
        ]
    return "\n".join(lines)


def case_file(
    vault: OpenVault,
    student_id: str,
    *,
    sections: tuple[str, ...] | None = None,
    include_private: bool = False,
    now: dt.datetime | None = None,
) -> tuple[bytes, str]:
    """The case file PDF (bytes, serial). Every print is audited with its serial and contents."""
    from app.reports.case_file import DEFAULT_SECTIONS, CaseFileData, build_case_file
    from app.reports.pdf import Marking

    require(vault.user.role, "view_diagnosis")
    sections = tuple(sections or DEFAULT_SECTIONS)
    if "private_notes" in sections and not include_private:
        sections = tuple(s for s in sections if s != "private_notes")
    if include_private and "private_notes" not in sections:
        sections = (*sections, "private_notes")
    now = now or dt.datetime.now()
    a = students.student_archive(vault, student_id)
    gender = {"M": "男", "F": "女"}.get(a.row.gender or "", "")
    basic = [
        ("姓名", a.row.name),
        ("学籍号", a.row.student_no),
        ("性别", gender),
        ("出生日期", a.row.birth_date.isoformat() if a.row.birth_date else ""),
        ("年级班级", f"{a.row.grade}{a.row.class_name}"),
        ("状态", _(students.STATUS_LABELS[a.row.status])),
    ]
    family = [
        ("住校", "是" if a.boarding else "否"),
        ("留守儿童", "是" if a.left_behind else "否"),
        ("单亲家庭", "是" if a.single_parent else "否"),
        ("其他", "、".join(_(students.FLAG_LABELS[f]) for f in a.family_flags) or "无"),
    ]
    if a.diagnosis_note:
        family.append(("既往诊断", a.diagnosis_note))
    results = assessments.history(vault, student_id)
    trends: dict[str, list] = {}
    for r in sorted(results, key=lambda r: r.administered_at):
        if r.total is not None:
            trends.setdefault(r.scale_id, []).append((r.administered_at, r.total))
    trends = {k: v for k, v in trends.items() if len(v) >= 2}
    recs = [
        (r.occurred_at, r.kind, r.title or _(KINDS[r.kind].label), record_text(r.kind, r.body))
        for r in records.for_case_file(vault, student_id, include_private=include_private)
    ]
    data = CaseFileData(
        school=_school_name(vault),
        basic=basic,
        family=family,
        guardians=[(g.name, g.relation or "", g.phone or "") for g in a.guardians],
        assessments=[
            (
                r.administered_at,
                r.scale_id,
                "" if r.total is None else f"{r.total:g}",
                r.band_label or "",
                "、".join(map(str, r.critical_items)),
            )
            for r in results
        ],
        trends=trends,
        warnings=[
            (w.raised_at, w.level, status_name(w.status))
            for w in warnings.history(vault, student_id)
        ],
        records=recs,
    )
    serial = new_serial(now)
    marking = Marking(
        serial, vault.user.display_name, f"{now:%Y-%m-%d %H:%M}", f"{a.row.name} · 心理档案"
    )
    pdf = build_case_file(data, marking, sections)
    _audit_print(
        vault,
        object_type="student",
        object_id=student_id,
        detail={"serial": serial, "document": "case_file", "sections": list(sections)},
    )
    return pdf, serial


def _school_name(vault: OpenVault) -> str:
    from sqlalchemy import select

    from app.models import School

    with vault.session() as s:
        return s.scalars(select(School.name)).first() or ""


def save_pdf(
    vault: OpenVault, pdf: bytes, path: Path, *, password: str | None, serial: str
) -> None:
    """Write a printed document to a file the user chose: AES-256 encrypted unless plain export is
    allowed by the admin. The export is audited."""
    require(vault.user.role, "view_diagnosis")
    if password is None:
        if not vaults.get_setting(vault, "allow_plain_export", False):
            raise PermissionDenied(_("save an unencrypted copy (the admin has not allowed it)"))
        data = pdf
    else:
        if len(password) < 6:
            raise ValidationError(
                "password", _("The file password must have at least 6 characters.")
            )
        import pikepdf

        out = io.BytesIO()
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            doc.save(
                out, encryption=pikepdf.Encryption(owner=secrets.token_hex(16), user=password, R=6)
            )
        data = out.getvalue()
    atomic_write(Path(path), data)
    with vault.session() as s:
        audit.record(
            s,
            audit.EXPORT,
            object_type="document",
            detail={"serial": serial, "file": Path(path).name, "encrypted": password is not None},
        )


def may_include_private(vault: OpenVault) -> bool:
    return vault.user.role in (ADMIN, "counselor")


def _marking(vault: OpenVault, title: str, now: dt.datetime | None = None):
    from app.reports.pdf import Marking

    now = now or dt.datetime.now()
    serial = new_serial(now)
    return Marking(serial, vault.user.display_name, f"{now:%Y-%m-%d %H:%M}", title), serial


def slips(vault: OpenVault, warning_ids: list[str], role: str) -> tuple[bytes, str]:
    """Minimal-disclosure slips for one role, for many warnings at once; audited."""
    from app.reports.documents import ROLE_TITLES, build_slips
    from app.services import network

    require(vault.user.role, "view_diagnosis")
    content = [network.slip(vault, wid, role) for wid in warning_ids]
    marking, serial = _marking(vault, f"告知单 · {ROLE_TITLES[role]}")
    pdf = build_slips(content, role, marking)
    _audit_print(
        vault,
        object_type="warning",
        detail={"serial": serial, "document": "slips", "role": role, "count": len(content)},
    )
    return pdf, serial


def warning_list(
    vault: OpenVault, warning_ids: list[str], what: str, today: dt.date | None = None
) -> tuple[bytes, str]:
    """The queue as shown (its filter described in `what`), for the counseling room's wall
    file; audited like every print. Level names are the short ones (一级 …)."""
    from app.reports.documents import build_warning_list
    from app.risk.levels import short_name
    from app.services.warning_rules import rule_names

    require(vault.user.role, "view_diagnosis")
    wanted = set(warning_ids)
    shown = [r for r in warnings.listing(vault) if r.id in wanted]
    overdue = {t.warning_id for t in warnings.overdue_tasks(vault, today)}
    rules = rule_names(vault)
    rows = [
        (
            short_name(r.level),
            r.student_name,
            r.class_label,
            r.student_no,
            rules.get(r.rule_id, r.rule_id),
            status_name(r.status),
            f"{r.raised_at:%Y-%m-%d}",
            "是" if r.id in overdue else "",
        )
        for r in shown
    ]
    marking, serial = _marking(vault, "预警名单")
    subtitle = f"{_school_name(vault)} · {what} · 共 {len(rows)} 名"
    pdf = build_warning_list(rows, "预警学生名单", subtitle, marking)
    _audit_print(
        vault,
        object_type="warning",
        detail={"serial": serial, "document": "warning_list", "count": len(rows)},
    )
    return pdf, serial


def intervention_plan(vault: OpenVault, record_id: str) -> tuple[bytes, str]:
    """A case conference as the one-page plan the parent signs; audited like every print."""
    from app.records.choices import CONFERENCE_BASIS, CONTACT_MODES, TASK_SIDES
    from app.reports.documents import build_intervention_plan

    r = records.get_record(vault, record_id)
    if r.kind != "case_conference":
        raise ValidationError("record", _("Only a case conference prints as a plan."))
    archive = students.student_archive(vault, r.student_id)
    b = r.body
    informed = ""
    if b.get("parent_name") or b.get("parent_informed_at"):
        how = _(CONTACT_MODES[b["parent_mode"]]) if b.get("parent_mode") else ""
        when = str(b.get("parent_informed_at") or "")[:16].replace("T", " ")
        informed = "，".join(x for x in (b.get("parent_name", ""), when, how) if x)
    plan = {
        "student": archive.row.name,
        "class": f"{archive.row.grade}{archive.row.class_name}",
        "date": f"{r.occurred_at:%Y-%m-%d}",
        "basis": _(CONFERENCE_BASIS.get(b.get("basis"), "")) if b.get("basis") else "",
        "school_participants": b.get("school_participants", ""),
        "outside_participants": b.get("outside_participants", ""),
        "findings": b.get("findings", ""),
        "plan": b.get("plan", ""),
        "tasks": [
            {
                "side": _(TASK_SIDES.get(t["side"], t["side"])),
                "owner": t["owner"],
                "title": t["title"] + ("（已完成）" if t.get("done") else ""),
                "due": t.get("due") or "",
            }
            for t in b.get("tasks") or ()
        ],
        "informed": informed,
        "parent_response": b.get("parent_response", ""),
        "review_on": b.get("review_on", ""),
    }
    marking, serial = _marking(vault, "研判及干预方案")
    pdf = build_intervention_plan(plan, marking)
    _audit_print(
        vault,
        object_type="record",
        object_id=record_id,
        detail={"serial": serial, "document": "intervention_plan"},
    )
    return pdf, serial


def compliance_report(vault: OpenVault, day: dt.date | None = None) -> tuple[bytes, str]:
    """Every class's 心理课 and 班会课 against the notice, the classes falling short first."""
    from app.records.school_calendar import WEEKS_PER_LESSON
    from app.reports.summaries import build_compliance
    from app.services import lesson_compliance

    day = day or dt.date.today()
    cal = lesson_compliance.calendar(vault, day)
    rows = sorted(lesson_compliance.compliance(vault, day), key=lambda c: (not c.falls_short, 0))
    lines = [
        [
            c.label,
            str(c.lessons),
            str(c.lessons_due),
            str(c.lessons_short) if c.lessons_short else "",
            str(c.meetings),
            "未达标" if c.falls_short else "达标",
        ]
        for c in rows
    ]
    short = sum(1 for c in rows if c.falls_short)
    subtitle = (
        f"{_school_name(vault)} · {semester_label(day)}（{cal.start} 至 {cal.end}）· 截至 {day} · "
        f"每 {WEEKS_PER_LESSON} 个教学周至少 1 节心理课，每学期至少 1 节心理班会课 · "
        f"未达标 {short} 个班"
    )
    marking, serial = _marking(vault, "心理课与班会课落实情况")
    pdf = build_compliance("心理课与班会课落实情况", subtitle, lines, marking)
    _audit_print(vault, object_type="record", detail={"serial": serial, "document": "compliance"})
    return pdf, serial


def answer_sheets(
    vault: OpenVault, scale_id: str, class_id: str | None = None
) -> tuple[bytes, str]:
    """Blank answer sheets for a class (roster order, as on the entry grid), or one blank sheet:
    under the scale's neutral title, without the confidential frame (students hold them)."""
    from app.services.student_papers import print_papers

    return print_papers(vault, "answer_sheets", scale_id, class_id)


def missing_list(vault: OpenVault, plan_id: str) -> tuple[bytes, str]:
    """The plan's students not done, in class and 学号 order, with why; audited."""
    from app.reports.documents import build_missing_list
    from app.services import plans

    rows = [p for p in plans.participation(vault, plan_id) if p.state != "done"]
    info = next(p for p in plans.list_plans(vault) if p.id == plan_id)
    marking, serial = _marking(vault, "未完成名单")
    pdf = build_missing_list(
        _("{plan}: students not done").format(plan=info.name),
        _("{n} students; scales: {scales}; {start} – {end}").format(
            n=len(rows), scales="、".join(info.scale_ids), start=info.starts_on, end=info.ends_on
        ),
        [
            (
                p.class_label,
                p.student_no,
                p.name,
                _(plans.STATE_LABELS[p.state]) + (f"（{p.note}）" if p.note else ""),
                "、".join(p.scales),
                p.recorded_by,
            )
            for p in rows
        ],
        marking,
    )
    _audit_print(
        vault,
        object_type="assessment_plan",
        object_id=plan_id,
        detail={"serial": serial, "document": "missing_list", "count": len(rows)},
    )
    return pdf, serial


def recovery_sheet(vault: OpenVault, code: str) -> tuple[bytes, str]:
    """The printed recovery code, right after it is created or regenerated."""
    from app.reports.documents import build_recovery_sheet

    require(vault.user.role, "manage_users")
    marking, serial = _marking(vault, "恢复码")
    pdf = build_recovery_sheet(_school_name(vault), vault.vault_id, code, marking)
    _audit_print(
        vault, object_type="vault", detail={"serial": serial, "document": "recovery_sheet"}
    )
    return pdf, serial


def assessment_report(vault: OpenVault, result_id: str) -> tuple[bytes, str]:
    """One result as `assessment_reports` words it (kept here: every document prints here)."""
    from app.services.assessment_reports import assessment_report as build

    return build(vault, result_id)


def class_summary(
    vault: OpenVault, scale_id: str, *, de_identified: bool = True
) -> tuple[bytes, str]:
    """The screening summary of one scale: per class, per group this semester beside the last
    (rates and means with 95 % intervals), reliable change. Counts only, never a name;
    `de_identified` is recorded in the title and the audit."""
    from app.reports.charts import rate_chart
    from app.reports.summaries import build_screening_summary
    from app.services.screening_statistics import statistics

    stats = statistics(vault, scale_id)
    marking, serial = _marking(vault, f"筛查汇总 · {stats.scale_id}")
    title = f"{stats.scale_title} 筛查汇总" + ("（去标识化）" if de_identified else "")
    chart = (
        rate_chart(f"{stats.scale_id} 筛查阳性率（按学期，有效答卷）", list(stats.trend))
        if stats.trend
        else None
    )
    pdf = build_screening_summary(title, stats, chart, marking)
    _audit_print(
        vault,
        object_type="scale",
        detail={
            "serial": serial,
            "document": "class_summary",
            "scale": stats.scale_id,
            "de_identified": de_identified,
        },
    )
    return pdf, serial


def workload_report(vault: OpenVault, start: dt.date, end: dt.date) -> tuple[bytes, str]:
    """Per teacher, in the bureau's columns, for [start, end] (a semester)."""
    from app.records.workload import CATEGORIES, HOURS, LABELS
    from app.reports.summaries import build_workload

    header = ["教师"]
    for c in CATEGORIES:
        header.append(_(LABELS[c]))
        if c in HOURS:
            header.append(_("{what} (hours)").format(what=_(LABELS[c])))
    rows = []
    for w in records.workload(vault, start, end):
        row = [w.name]
        for c in CATEGORIES:
            row.append(str(w.counts.get(c, 0)))
            if c in HOURS:
                row.append(f"{w.hours.get(c, 0.0):g}")
        rows.append(row)
    marking, serial = _marking(vault, "工作量统计")
    pdf = build_workload(f"心理教师工作量统计（{start} 至 {end}）", header, rows, marking)
    _audit_print(vault, object_type="workload", detail={"serial": serial, "document": "workload"})
    return pdf, serial
