"""Paper answer sheets typed in by a teacher, with optional double entry.

In double entry a second pass (ideally by another user) is compared item by item; nothing is
saved until every mismatch is resolved.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import ValidationError
from app.i18n import _
from app.scales.definition import ScaleDefinition
from app.services.assessments import ResultRow, record_result
from app.services.vaults import OpenVault


@dataclass(frozen=True)
class Mismatch:
    item: int
    first: int | None
    second: int | None


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


def compare(first: list[int | None], second: list[int | None]) -> list[Mismatch]:
    if len(first) != len(second):
        raise ValidationError("entry", _("The two entries have different numbers of answers."))
    return [
        Mismatch(i, a, b)
        for i, (a, b) in enumerate(zip(first, second, strict=True), start=1)
        if a != b
    ]


def save_sheet(
    vault: OpenVault,
    student_id: str,
    scale_id: str,
    answers: list[int | None],
    *,
    second: list[int | None] | None = None,
    second_user_id: str | None = None,
    plan_id: str | None = None,
) -> ResultRow:
    """Save one sheet; with `second`, refuse while the two passes disagree on any item."""
    if second is not None:
        mismatches = compare(answers, second)
        if mismatches:
            raise ValidationError(
                "entry",
                _("The two entries differ at items {items}; resolve them first.").format(
                    items=", ".join(str(m.item) for m in mismatches)
                ),
            )
    row, _result = record_result(
        vault,
        student_id,
        scale_id,
        answers,
        mode="paper",
        plan_id=plan_id,
        verified_by=second_user_id if second is not None else None,
    )
    return row
