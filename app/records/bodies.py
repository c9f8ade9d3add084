"""A record's body checked and normalised against its kind's fields: unknown keys refused so
nothing is silently dropped, each value in its stored form, a required field present."""

from __future__ import annotations

import datetime as dt

from app.errors import ValidationError
from app.i18n import _
from app.records.choices import CRISIS_STEPS, TASK_SIDES, TEMPLATES
from app.records.kinds import Field, Kind


def _coerce(f: Field, value):
    if value in (None, "", []):
        return None
    if f.type in ("text", "longtext"):
        return str(value).strip() or None
    if f.type == "int":
        return int(value)
    if f.type == "bool":
        return bool(value)
    if f.type == "date":
        return (
            value.isoformat()
            if isinstance(value, dt.date)
            else dt.date.fromisoformat(str(value)).isoformat()
        )
    if f.type == "datetime":
        if isinstance(value, dt.datetime):
            return value.isoformat(timespec="minutes")
        return dt.datetime.fromisoformat(str(value)).isoformat(timespec="minutes")
    if f.type == "choice":
        if value not in f.choices:
            raise ValueError(value)
        return value
    if f.type == "steps":  # protocol step → time it was done (ISO), in protocol order
        out = {}
        for key, when in dict(value).items():
            if key not in CRISIS_STEPS:
                raise ValueError(key)
            if when:
                out[key] = dt.datetime.fromisoformat(str(when)).isoformat(timespec="minutes")
        return out or None
    if f.type == "tasks":
        return _tasks(value)
    if f.type == "multichoice":
        values = list(value)
        if any(v not in f.choices for v in values):
            raise ValueError(values)
        return values
    raise ValueError(f.type)


def _tasks(value) -> list[dict] | None:
    """Each agreed task: whose side (school/family), its owner, what, by when, done or not."""
    out = []
    for raw in list(value):
        task = dict(raw)
        title = str(task.get("title") or "").strip()
        owner = str(task.get("owner") or "").strip()
        if not title and not owner:
            continue  # an empty row of the table
        if task.get("side") not in TASK_SIDES or not title or not owner:
            raise ValidationError(
                "tasks",
                _("Task {n}: say whether school or family does it, who, and what.").format(
                    n=len(out) + 1
                ),
            )
        due = task.get("due")
        if isinstance(due, dt.date):
            due = due.isoformat()
        out.append(
            {
                "side": task["side"],
                "owner": owner,
                "title": title,
                "due": dt.date.fromisoformat(str(due)).isoformat() if due else None,
                "done": bool(task.get("done")),
            }
        )
    return out or None


def clean_body(kind: Kind, body: dict) -> dict:
    """Checked and normalised; unknown keys are refused so nothing is silently dropped."""
    known = {f.key for f in kind.fields} | ({"sections"} if kind.sections else set())
    unknown = set(body) - known
    if unknown:
        raise ValidationError(
            "body", _("Unknown fields: {names}.").format(names=", ".join(sorted(unknown)))
        )
    out = {}
    for f in kind.fields:
        raw = body.get(f.key, f.default)
        try:
            value = _coerce(f, raw)
        except (ValueError, TypeError) as exc:
            raise ValidationError(
                f.key, _("{label}: the value is not valid.").format(label=_(f.label))
            ) from exc
        if value is None and f.required:
            raise ValidationError(f.key, _("{label} is required.").format(label=_(f.label)))
        if value is not None:
            out[f.key] = value
    if kind.sections:
        template = out.get("template", "school")
        allowed = {k for k, _l in TEMPLATES[template][1]}
        sections = {
            k: str(v).strip() for k, v in (body.get("sections") or {}).items() if str(v).strip()
        }
        if set(sections) - allowed:
            raise ValidationError("sections", _("These sections do not belong to the template."))
        out["sections"] = sections
    return out
