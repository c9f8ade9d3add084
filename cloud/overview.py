"""The city → district → school view of what the schools sent (aggregates only, no names)."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.models import Device, Org, Submission


def _current(s: Session) -> list[Submission]:
    """The newest non-deprecated submission per (school, entity, entity_id)."""
    deprecated = set(
        s.scalars(select(Submission.deprecates).where(Submission.deprecates.is_not(None)))
    )
    newest: dict[tuple, Submission] = {}
    for sub in s.scalars(select(Submission).order_by(Submission.server_seq)):
        if sub.id not in deprecated:
            newest[(sub.school_id, sub.entity, sub.entity_id)] = sub
    return list(newest.values())


def _empty() -> dict:
    return {"results": 0, "bands": Counter(), "warnings": Counter(), "devices": 0}


def overview(s: Session) -> list[dict]:
    """One node per organisation with its own and its children's totals, roots first."""
    orgs = list(s.scalars(select(Org).order_by(Org.level, Org.code)))
    own: dict[str, dict] = defaultdict(_empty)
    for sub in _current(s):
        node = own[sub.school_id]
        if sub.entity == "assessment_result" and sub.payload.get("status", "final") == "final":
            node["results"] += 1
            node["bands"][
                f"{sub.payload.get('scale_id')}·{sub.payload.get('band_label') or '-'}"
            ] += 1
        elif sub.entity == "warning" and sub.payload.get("status") in ("raised", "confirmed"):
            node["warnings"][sub.payload.get("level")] += 1
    for dev in s.scalars(select(Device).where(Device.revoked_at.is_(None))):
        own[dev.school_id]["devices"] += 1
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
