"""Read one page: find the four fiducials, undo rotation, skew and perspective, decode the QR
code, then measure every bubble against this page's own paper and ink and say for each item —
one answer, blank, several marks, erased-and-changed, or uncertain — with a confidence.

Thresholds are relative to the page: a sheet marked in light pencil is read by its own
darkest marks, a dark scan by its own paper. Anything not clearly one answer goes to a person."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from app.scan.layout import (
    MARKER,
    PAGE_H,
    PAGE_W,
    Bubble,
    Payload,
    SheetLayout,
    marker_centres,
    qr_box,
)

SCALE = 2.5  # canonical raster: pixels per PDF point (180 dpi)
ONE, BLANK, MULTIPLE, ERASED, UNCERTAIN = "one", "blank", "multiple", "erased", "uncertain"
_DICT = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)


def _detector() -> cv2.aruco.ArucoDetector:
    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    return cv2.aruco.ArucoDetector(_DICT, params)


_ARUCO = _detector()
_QR = cv2.QRCodeDetector()
_QR_ARUCO = cv2.QRCodeDetectorAruco()


class Unreadable(Exception):
    """A page that cannot be read at all: the reason, in the counselor's words."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class ItemRead:
    item: int
    state: str
    value: int | None  # the answer read (for erased/uncertain: the likeliest one)
    confidence: float
    fills: tuple[float, ...]  # per option, 0 (paper) … 1 (ink)


@dataclass
class PageRead:
    payload: Payload
    items: list[ItemRead]
    page: np.ndarray = field(repr=False)  # the rectified page (grayscale, SCALE px/pt)


def canonical_size() -> tuple[int, int]:
    return int(round(PAGE_W * SCALE)), int(round(PAGE_H * SCALE))


def to_canonical(x: float, y: float) -> tuple[float, float]:
    """PDF points (origin bottom-left) → canonical pixels (origin top-left)."""
    return x * SCALE, (PAGE_H - y) * SCALE


def _find_markers(gray: np.ndarray) -> dict[int, np.ndarray]:
    """Marker id → its centre in image pixels; big photos are searched at a smaller size."""
    h, w = gray.shape
    factor = min(1.0, 1800 / max(h, w))
    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    corners, ids, _rej = _ARUCO.detectMarkers(small)
    found: dict[int, np.ndarray] = {}
    if ids is None:
        return found
    for quad, mid in zip(corners, ids.ravel(), strict=True):
        if 0 <= mid <= 3 and mid not in found:
            found[int(mid)] = quad.reshape(4, 2).mean(axis=0) / factor
    return found


def rectify(gray: np.ndarray, markers: tuple[tuple[float, float], ...]) -> np.ndarray:
    found = _find_markers(gray)
    if len(found) < 3:
        raise Unreadable(f"找不到页面四角的定位标记（只找到 {len(found)} 个）")
    ids = sorted(found)
    src = np.float32([found[i] for i in ids])
    dst = np.float32([to_canonical(*markers[i]) for i in ids])
    size = canonical_size()
    if len(ids) == 4:
        matrix = cv2.getPerspectiveTransform(src, dst)
        return cv2.warpPerspective(gray, matrix, size, flags=cv2.INTER_LINEAR, borderValue=255)
    matrix = cv2.getAffineTransform(src, dst)
    return cv2.warpAffine(gray, matrix, size, flags=cv2.INTER_LINEAR, borderValue=255)


def read_payload(page: np.ndarray, qr: tuple[float, float, float]) -> Payload:
    x, y, side = qr
    pad = 6 * SCALE
    x0, y0 = to_canonical(x, y + side)
    x0, y0 = int(max(0, x0 - pad)), int(max(0, y0 - pad))
    x1, y1 = int(x0 + side * SCALE + 2 * pad), int(y0 + side * SCALE + 2 * pad)
    crop = page[y0:y1, x0:x1]

    def sharpened(image):
        soft = cv2.GaussianBlur(image, (0, 0), 2.0)
        return cv2.addWeighted(image, 2.0, soft, -1.0, 0)

    attempts = (
        lambda: (_QR, crop),
        lambda: (_QR, cv2.adaptiveThreshold(
            crop, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 5)),
        lambda: (_QR_ARUCO, crop),
        lambda: (_QR, sharpened(cv2.resize(crop, None, fx=2, fy=2,
                                           interpolation=cv2.INTER_CUBIC))),
    )  # fmt: skip
    for attempt in attempts:
        detector, image = attempt()
        text, _points, _raw = detector.detectAndDecode(image)
        payload = Payload.decode(text) if text else None
        if payload is not None:
            return payload
    raise Unreadable("二维码无法识别（可能被遮挡、污损或拍摄过于模糊）")


def _disk(radius: int) -> np.ndarray:
    yy, xx = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    return (xx * xx + yy * yy) <= radius * radius


def measure(page: np.ndarray, bubbles: list[Bubble]) -> np.ndarray:
    """Darkness inside each bubble (inside its printed outline), 0 = paper … 1 = ink. The paper
    is read just outside each item's bubbles, so a shadow or uneven light over part of the page
    moves paper and mark together; the ink is the fiducials' black on this very sheet."""
    if not bubbles:
        return np.zeros(0)
    radius = bubbles[0].d / 2 * SCALE
    r = max(2, int(radius * 0.62))
    inner = _disk(r)
    outer_r = int(radius * 1.55)
    yy, xx = np.mgrid[-outer_r : outer_r + 1, -outer_r : outer_r + 1]
    dist = np.sqrt(xx * xx + yy * yy)
    ring = (dist >= radius * 1.3) & (dist <= radius * 1.55)
    means = np.empty(len(bubbles))
    rings = np.empty(len(bubbles))
    for k, b in enumerate(bubbles):
        cx, cy = (int(round(v)) for v in to_canonical(b.x, b.y))
        patch = page[cy - r : cy + r + 1, cx - r : cx + r + 1]
        means[k] = patch[inner].mean() if patch.shape == inner.shape else 255.0
        around = page[cy - outer_r : cy + outer_r + 1, cx - outer_r : cx + outer_r + 1]
        rings[k] = np.percentile(around[ring], 60) if around.shape == ring.shape else 255.0
    paper = rings  # each bubble's own surround (its brightest part): the paper there
    m = int(MARKER * SCALE * 0.9)
    ink = float(np.percentile(page[: m + 40, : m + 40], 3))
    if float(np.median(paper)) - ink < 40:
        raise Unreadable("页面对比度太低，无法区分涂写与纸张（请重新扫描）")
    dark = np.clip((paper - means) / np.maximum(paper - ink, 40.0), 0.0, 1.0)
    base = float(np.percentile(dark, 25))  # empty bubbles (at most one per item is marked)
    return np.clip((dark - base) / max(1e-6, 1.0 - base), 0.0, 1.0)


def classify(fills_by_item: dict[int, list[tuple[int, float]]]) -> list[ItemRead]:
    """Per item, from (option value, fill) pairs; thresholds follow this page's own marks."""
    maxima = sorted(max(f for _v, f in opts) for opts in fills_by_item.values())
    marked = [m for m in maxima if m > 0.25]
    level = float(np.percentile(marked, 50)) if marked else 0.8
    hi = max(0.22, 0.5 * level)
    lo = max(0.10, 0.22 * level)
    out = []
    for item, opts in sorted(fills_by_item.items()):
        ranked = sorted(opts, key=lambda p: -p[1])
        (v1, f1), f2 = ranked[0], ranked[1][1] if len(ranked) > 1 else 0.0
        fills = tuple(round(f, 3) for _v, f in opts)
        if f1 < lo:
            out.append(ItemRead(item, BLANK, None, round(1 - f1 / lo, 2), fills))
        elif f1 >= hi and f2 >= hi:
            out.append(ItemRead(item, MULTIPLE, v1, 0.0, fills))
        elif f1 >= hi and f2 >= lo:
            out.append(ItemRead(item, ERASED, v1, round((f1 - f2) / f1, 2), fills))
        elif f1 >= hi:
            conf = min(1.0, (f1 - hi) / max(1e-6, level - hi) * 0.5 + 0.5) * (1 - f2 / lo * 0.5)
            out.append(ItemRead(item, ONE, v1, round(conf, 2), fills))
        else:
            out.append(ItemRead(item, UNCERTAIN, v1, round((f1 - lo) / (hi - lo), 2), fills))
    return out


def read_page(gray: np.ndarray, sheet_for) -> PageRead:
    """`sheet_for(payload)` gives the SheetLayout of the scale the QR code names (or raises
    Unreadable for a scale this vault does not know)."""
    page = rectify(gray, marker_centres())
    payload = read_payload(page, qr_box())
    sheet: SheetLayout = sheet_for(payload)
    bubbles = sheet.bubbles_of(payload.page)
    fills = measure(page, bubbles)
    by_item: dict[int, list[tuple[int, float]]] = {}
    for b, f in zip(bubbles, fills, strict=True):
        by_item.setdefault(b.item, []).append((b.option, float(f)))
    return PageRead(payload, classify(by_item), page)


def crop_item(page: np.ndarray, bubbles: list[Bubble]) -> bytes:
    """The item's row as the student marked it (PNG), for the review page."""
    xs = [to_canonical(b.x, b.y) for b in bubbles]
    r = bubbles[0].d * SCALE
    x0 = int(min(x for x, _ in xs) - 14 * SCALE * 2.2)
    x1 = int(max(x for x, _ in xs) + r)
    y = int(xs[0][1])
    crop = page[max(0, y - int(r * 1.3)) : y + int(r * 1.3), max(0, x0) : x1]
    ok, png = cv2.imencode(".png", crop)
    return png.tobytes() if ok else b""
