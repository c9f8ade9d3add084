"""The city → district → school view of what the schools sent (aggregates only, no names)."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.models import Device, Org, Submission


def _empty() -> dict:
    return {"results": 0, "bands": Counter(), "warnings": Counter(), "devices": 0}


def _own_totals(s: Session) -> dict[str, dict]:
    """Per school, computed by the database (GROUP BY over live rows): nothing is loaded row by
    row, so time and memory do not grow with the number of submissions."""
    own: dict[str, dict] = defaultdict(_empty)
    live = Submission.retired.is_(False)
    results = s.execute(
        select(Submission.school_id, Submission.scale_id, Submission.band_label, func.count())
        .where(Submission.entity == "assessment_result", live, Submission.status == "final")
        .group_by(Submission.school_id, Submission.scale_id, Submission.band_label)
    )
    for school_id, scale, band, n in results:
        node = own[school_id]
        node["results"] += n
        node["bands"][f"{scale}·{band or '-'}"] += n
    warnings = s.execute(
        select(Submission.school_id, Submission.level, func.count())
        .where(
            Submission.entity == "warning",
            live,
            Submission.status.in_(("raised", "confirmed")),
        )
        .group_by(Submission.school_id, Submission.level)
    )
    for school_id, level, n in warnings:
        own[school_id]["warnings"][level] += n
    devices = s.execute(
        select(Device.school_id, func.count())
        .where(Device.revoked_at.is_(None))
        .group_by(Device.school_id)
    )
    for school_id, n in devices:
        own[school_id]["devices"] += n
    return own


def overview(s: Session) -> list[dict]:
    """One node per organisation with its own and its children's totals, roots first."""
    orgs = list(s.scalars(select(Org).order_by(Org.level, Org.code)))
    own = _own_totals(s)
    children = defaultdict(list)
    for o in orgs:
        children[o.parent_id].append(o)

    def build(o: Org) -> dict:
        kids = [build(c) for c in children[o.id]]
        total = _empty()
        for part in [own[o.id], *(k["totals"] for k in kids)]:
            total["results"] += part["results"]
            total["devices"] += part["devices"]
            total["bands"].update(part["bands"])
            total["warnings"].update(part["warnings"])
        return {"level": o.level, "code": o.code, "name": o.name, "totals": total, "children": kids}

    return [build(o) for o in children[None]]


def render(nodes: list[dict], indent: int = 0) -> str:
    lines = []
    for n in nodes:
        t = n["totals"]
        warn = " ".join(f"{k}={v}" for k, v in sorted(t["warnings"].items())) or "-"
        lines.append(
            f"{'  ' * indent}{n['name']} [{n['level']} {n['code']}] devices={t['devices']} "
            f"results={t['results']} warnings: {warn}"
        )
        for band, count in sorted(t["bands"].items()):
            lines.append(f"{'  ' * (indent + 2)}{band}: {count}")
        if n["children"]:
            lines.append(render(n["children"], indent + 1))
    return "\n".join(lines)
