"""Warning levels, defined once: id, Chinese name, colours and order (0 = most severe).

Every page, report, chart and rule imports them from here, so a level can never mean one thing
on the screen and another in print.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import N_, _


@dataclass(frozen=True)
class Level:
    id: str
    order: int
    short: str  # 一级 …: what a PDF or a slip prints
    label: str  # msgid of the full name shown in the window
    background: str  # pale fill for table rows and home-page tiles
    color: str  # strong colour for charts and the alert bar

    @property
    def name(self) -> str:
        return _(self.label)


LEVELS: tuple[Level, ...] = (
    Level("red", 0, "一级", N_("Level 1 (red)"), "#ffcdd2", "#e53935"),
    Level("orange", 1, "二级", N_("Level 2 (orange)"), "#ffe0b2", "#fb8c00"),
    Level("yellow", 2, "三级", N_("Level 3 (yellow)"), "#fff9c4", "#fbc02d"),
    Level("watch", 3, "关注", N_("Watch"), "#e3f2fd", "#64b5f6"),
)
BY_ID: dict[str, Level] = {lv.id: lv for lv in LEVELS}
LEVEL_IDS: tuple[str, ...] = tuple(lv.id for lv in LEVELS)
LEVEL_ORDER: dict[str, int] = {lv.id: lv.order for lv in LEVELS}
URGENT: frozenset[str] = frozenset({"red", "orange"})  # shown in the alert bar at once


def level(level_id: str) -> Level:
    return BY_ID[level_id]


def level_name(level_id: str) -> str:
    """The full name in the current language; an unknown id (from another school) as it is."""
    lv = BY_ID.get(level_id)
    return lv.name if lv else str(level_id)


def short_name(level_id: str) -> str:
    lv = BY_ID.get(level_id)
    return lv.short if lv else str(level_id)


def more_severe(a: str, b: str) -> bool:
    """True when level `a` is more severe than level `b`."""
    return LEVEL_ORDER[a] < LEVEL_ORDER[b]


WARNING_STATUSES = {
    "raised": N_("Awaiting review"),
    "confirmed": N_("Confirmed"),
    "dismissed": N_("Dismissed"),
    "resolved": N_("Resolved"),
}


def status_name(status: str) -> str:
    """待审核 rather than `raised`, on every page and in every PDF."""
    return _(WARNING_STATUSES[status]) if status in WARNING_STATUSES else status
