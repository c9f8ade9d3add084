"""Where everything sits on a machine-readable answer sheet, in PDF points (origin bottom-left,
A4). The printer draws from this and the reader measures from it: one layout, computed from the
scale (item count, options), so a sheet carries its own template — no hand-made one per form.

The four corner fiducials are ArUco 4×4 markers 0 (top-left), 1 (top-right), 2 (bottom-right)
and 3 (bottom-left); their centres anchor the page, whatever the rotation or perspective."""

from __future__ import annotations

from dataclasses import asdict, dataclass

MM = 72 / 25.4
PAGE_W, PAGE_H = 595.2756, 841.8898  # A4
MARKER = 12 * MM  # fiducial side
MARKER_MARGIN = 9 * MM  # page edge to the fiducial's outer edge
QR_SIZE = 30 * MM
BUBBLE_D = 4.6 * MM
PITCH_X = 7.2 * MM  # between the centres of two options of an item
ROW_H = 6.6 * MM
NUMBER_W = 9 * MM
COLUMN_GAP = 6 * MM
TOP = PAGE_H - 52 * MM  # the first bubble row's centre
BOTTOM = 24 * MM  # no bubble lower than this
LEFT = 20 * MM
RIGHT = PAGE_W - 20 * MM


@dataclass(frozen=True)
class Bubble:
    page: int
    item: int
    option: int  # the option's value, as scored
    x: float  # centre, PDF points
    y: float
    d: float  # diameter


@dataclass(frozen=True)
class SheetLayout:
    pages: int
    bubbles: tuple[Bubble, ...]
    markers: tuple[tuple[float, float], ...]  # centres of fiducials 0–3, PDF points
    qr: tuple[float, float, float]  # x, y (bottom-left) and side of the QR code
    columns: tuple[tuple[int, float, float, tuple[int, ...]], ...]  # page, x0, y0, options

    def to_json(self) -> dict:
        return {
            "page_size": [PAGE_W, PAGE_H],
            "pages": self.pages,
            "markers": [list(m) for m in self.markers],
            "qr": list(self.qr),
            "bubbles": [asdict(b) for b in self.bubbles],
        }

    def bubbles_of(self, page: int) -> list[Bubble]:
        return [b for b in self.bubbles if b.page == page]


def marker_centres() -> tuple[tuple[float, float], ...]:
    c = MARKER_MARGIN + MARKER / 2
    return ((c, PAGE_H - c), (PAGE_W - c, PAGE_H - c), (PAGE_W - c, c), (c, c))


def layout(options_per_item: list[tuple[int, ...]]) -> SheetLayout:
    """Items flow down columns, columns across the page, pages as needed. A column holds items
    whose options are the same (a header row over it names them); an item never splits."""
    rows_per_column = int((TOP - BOTTOM) // ROW_H) + 1
    bubbles: list[Bubble] = []
    columns = []
    page, x0, row = 1, LEFT, 0
    current: tuple[int, ...] | None = None

    def width(opts) -> float:
        return NUMBER_W + len(opts) * PITCH_X

    for item, opts in enumerate(options_per_item, start=1):
        if current != opts or row >= rows_per_column:
            if current is not None:
                x0 += width(current) + COLUMN_GAP
            row = 0
            if x0 + width(opts) > RIGHT:
                page, x0 = page + 1, LEFT
            columns.append((page, x0, TOP + ROW_H, opts))
            current = opts
        y = TOP - row * ROW_H
        for k, value in enumerate(opts):
            x = x0 + NUMBER_W + (k + 0.5) * PITCH_X
            bubbles.append(Bubble(page, item, value, round(x, 2), round(y, 2), BUBBLE_D))
        row += 1
    return SheetLayout(page, tuple(bubbles), marker_centres(), qr_box(), tuple(columns))


def qr_box() -> tuple[float, float, float]:
    """x, y (bottom-left) and side of the QR code: top right, left of fiducial 1."""
    return (
        PAGE_W - MARKER_MARGIN - MARKER - 6 * MM - QR_SIZE,
        PAGE_H - MARKER_MARGIN - QR_SIZE,
        QR_SIZE,
    )


PAYLOAD_PREFIX = "X1"


@dataclass(frozen=True)
class Payload:
    """What the QR code says: plan (its first 6 characters, or -), scale, version, the
    student's opaque token and the page — never a name or a 学籍号. Upper case, digits and
    "-./ " only: QR's alphanumeric mode, the smallest code, so its modules are the largest."""

    plan: str
    scale: str
    version: str
    token: str
    page: int
    pages: int

    def encode(self) -> str:
        return " ".join(
            (
                PAYLOAD_PREFIX,
                (self.plan or "-").upper(),
                self.scale.upper(),
                self.version,
                self.token,
                f"{self.page}/{self.pages}",
            )
        )

    @classmethod
    def decode(cls, text: str) -> Payload | None:
        parts = text.split(" ")
        if len(parts) != 6 or parts[0] != PAYLOAD_PREFIX:
            return None
        try:
            page, pages = (int(x) for x in parts[5].split("/"))
        except ValueError:
            return None
        plan = "" if parts[1] == "-" else parts[1]
        return cls(plan, parts[2], parts[3], parts[4], page, pages)
