"""Paper answer sheets typed in by a teacher: which keys are answers, and why one is not."""

from __future__ import annotations

from app.i18n import _
from app.scales.definition import ScaleDefinition
from app.services.assessments import ResultRow, record_result
from app.services.vaults import OpenVault


def parse_digit(defn: ScaleDefinition, item: int, key: str) -> int | None:
    """A keystroke on the entry grid → the option value, or None if it is not an option."""
    if not key.isdigit():
        return None
    value = int(key)
    return value if defn.is_allowed(item, value) else None


def refusal(defn: ScaleDefinition, item: int, key: str) -> str:
    """Why a key was not taken on item `item`, and that the cursor stayed there."""
    allowed = "、".join(str(o.value) for o in defn.options_for(item))
    return _(
        "Item {item}: {key} is not an answer on this sheet (only {allowed}). Nothing was typed; "
        "the cursor is still on item {item}."
    ).format(item=item, key=key, allowed=allowed)


def save_sheet(
    vault: OpenVault,
    student_id: str,
    scale_id: str,
    answers: list[int | None],
    *,
    plan_id: str | None = None,
) -> ResultRow:
    """Save one sheet typed once (double entry goes through `double_entry.save_passes`)."""
    row, _result = record_result(
        vault, student_id, scale_id, answers, mode="paper", plan_id=plan_id
    )
    return row
