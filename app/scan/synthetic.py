"""Synthetic scans for tests and `make bench`: the real printed sheets, rasterised, marked the
way people mark paper (full, partial, light pencil, ticks, crosses, two marks, an erased mark)
and degraded the way scanners and phones degrade it (rotation, perspective, resolution, blur,
JPEG, uneven light, a shadow, a photo on a desk). Never real answers: random ones."""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np

from app.scan.layout import PAGE_H, Bubble, SheetLayout

CLEAN = ("full", "partial", "pencil")
UNCLEAN = ("tick", "cross", "two", "erased", "blank")
STYLES = (*CLEAN, *UNCLEAN)
DEGRADATIONS = (
    "clean",
    "rotate",
    "perspective",
    "lowres",
    "blur",
    "jpeg",
    "light",
    "shadow",
    "photo",
)


@dataclass(frozen=True)
class Truth:
    item: int
    style: str
    value: int | None  # the answer meant (None: blank; for "two" the first of the two)


def render_pages(pdf: bytes, dpi: int) -> list[np.ndarray]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for i in range(len(doc)):
            bitmap = doc[i].render(scale=dpi / 72, grayscale=True)
            out.append(np.array(bitmap.to_pil().convert("L")))
        return out
    finally:
        doc.close()


def _px(b: Bubble, dpi: int) -> tuple[int, int, int]:
    s = dpi / 72
    return int(round(b.x * s)), int(round((PAGE_H - b.y) * s)), int(round(b.d / 2 * s))


def _draw(img: np.ndarray, b: Bubble, dpi: int, style: str, rng: random.Random) -> None:
    x, y, r = _px(b, dpi)
    jitter = lambda: rng.randint(-max(1, r // 6), max(1, r // 6))  # noqa: E731
    if style == "full":
        shade = rng.randint(15, 70)
        cv2.circle(img, (x + jitter(), y + jitter()), int(r * rng.uniform(0.85, 1.05)), shade, -1)
    elif style == "partial":  # a hurried scribble covering most of the bubble
        shade = rng.randint(20, 80)
        axes = (int(r * rng.uniform(0.7, 0.95)), int(r * rng.uniform(0.55, 0.8)))
        cv2.ellipse(img, (x, y), axes, rng.uniform(0, 180), 0, 360, shade, -1)
    elif style == "pencil":  # light graphite, grainy
        shade = rng.randint(120, 165)
        patch = np.full((2 * r + 1, 2 * r + 1), 255, np.uint8)
        cv2.circle(patch, (r, r), int(r * 0.92), shade, -1)
        noise = np.random.default_rng(rng.randint(0, 2**31)).integers(-25, 25, patch.shape)
        patch = np.clip(patch.astype(int) + noise * (patch < 255), 0, 255).astype(np.uint8)
        region = img[y - r : y + r + 1, x - r : x + r + 1]
        if region.shape == patch.shape:
            np.minimum(region, patch, out=region)
    elif style == "tick":
        t = max(1, r // 4)
        pts = np.array([(x - r, y), (x - r // 4, y + r * 3 // 4), (x + r * 5 // 4, y - r)])
        cv2.polylines(img, [pts], False, rng.randint(20, 70), t)
    elif style == "cross":
        t = max(1, r // 4)
        shade = rng.randint(20, 70)
        cv2.line(img, (x - r, y - r), (x + r, y + r), shade, t)
        cv2.line(img, (x - r, y + r), (x + r, y - r), shade, t)
    elif style == "erased":  # what an eraser leaves: a faint grey smudge
        cv2.circle(img, (x, y), int(r * 0.9), rng.randint(200, 225), -1)


def mark_page(
    img: np.ndarray,
    dpi: int,
    sheet: SheetLayout,
    page: int,
    rng: random.Random,
    styles: dict[int, str] | None = None,
) -> list[Truth]:
    """Mark every item on `page`: a student holds one pen or one pencil for the whole sheet;
    most marks are clean, the rest drawn from STYLES."""
    by_item: dict[int, list[Bubble]] = {}
    for b in sheet.bubbles_of(page):
        by_item.setdefault(b.item, []).append(b)
    truth = []
    instrument = ("pencil",) if rng.random() < 0.3 else ("full", "partial")
    if "two" in (styles or {}).values() or "erased" in (styles or {}).values():
        instrument = ("full", "partial")
    for item, bubbles in by_item.items():
        style = (styles or {}).get(item) or (
            rng.choice(instrument) if rng.random() < 0.85 else rng.choice(UNCLEAN)
        )
        chosen = rng.choice(bubbles)
        if style == "blank":
            truth.append(Truth(item, style, None))
            continue
        if style in ("two", "erased"):
            other = rng.choice([b for b in bubbles if b is not chosen])
            _draw(img, other, dpi, instrument[0] if style == "two" else "erased", rng)
            _draw(img, chosen, dpi, instrument[0], rng)
        else:
            _draw(img, chosen, dpi, style, rng)
        truth.append(Truth(item, style, chosen.option))
    return truth


def degrade(img: np.ndarray, kind: str, rng: random.Random) -> np.ndarray:
    h, w = img.shape
    if kind == "rotate":  # fed crooked: the scanner's frame is larger than the page
        pad = int(0.12 * max(h, w))
        big = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
        bh, bw = big.shape
        m = cv2.getRotationMatrix2D((bw / 2, bh / 2), rng.uniform(-10, 10), 1.0)
        return cv2.warpAffine(big, m, (bw, bh), borderValue=255)
    if kind == "perspective":
        d = 0.06
        src = np.float32([(0, 0), (w, 0), (w, h), (0, h)])
        dst = np.float32(
            [(rng.uniform(0, d) * w, rng.uniform(0, d) * h),
             (w - rng.uniform(0, d) * w, rng.uniform(0, d) * h),
             (w - rng.uniform(0, d) * w, h - rng.uniform(0, d) * h),
             (rng.uniform(0, d) * w, h - rng.uniform(0, d) * h)]
        )  # fmt: skip
        return cv2.warpPerspective(
            img, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=255
        )
    if kind == "lowres":  # as if scanned at 150 dpi
        f = rng.uniform(0.5, 0.7)
        small = cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        return small
    if kind == "blur":
        return cv2.GaussianBlur(img, (0, 0), rng.uniform(1.0, 2.2))
    if kind == "jpeg":
        ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 50])
        return cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    if kind == "light":  # uneven light across the page
        gx = np.linspace(rng.uniform(0.65, 0.85), 1.0, w)[None, :]
        gy = np.linspace(1.0, rng.uniform(0.8, 1.0), h)[:, None]
        return np.clip(img.astype(np.float32) * gx * gy, 0, 255).astype(np.uint8)
    if kind == "shadow":  # a hand's or the phone's shadow over a corner
        mask = np.ones_like(img, np.float32)
        pts = np.array(
            [(0, int(h * rng.uniform(0.5, 0.8))), (int(w * rng.uniform(0.4, 0.7)), h), (0, h)]
        )
        cv2.fillPoly(mask, [pts], rng.uniform(0.55, 0.7))
        mask = cv2.GaussianBlur(mask, (0, 0), 25)
        return np.clip(img.astype(np.float32) * mask, 0, 255).astype(np.uint8)
    if kind == "photo":  # on a desk, in perspective, a little blurred, compressed
        canvas_h, canvas_w = int(h * 1.25), int(w * 1.25)
        desk = np.random.default_rng(rng.randint(0, 2**31)).integers(70, 120, (canvas_h, canvas_w))
        desk = cv2.GaussianBlur(desk.astype(np.uint8), (0, 0), 3)
        ox, oy = (canvas_w - w) / 2, (canvas_h - h) / 2
        d = 0.05
        src = np.float32([(0, 0), (w, 0), (w, h), (0, h)])
        dst = np.float32(
            [(ox + rng.uniform(-d, d) * w, oy + rng.uniform(-d, d) * h),
             (ox + w + rng.uniform(-d, d) * w, oy + rng.uniform(-d, d) * h),
             (ox + w + rng.uniform(-d, d) * w, oy + h + rng.uniform(-d, d) * h),
             (ox + rng.uniform(-d, d) * w, oy + h + rng.uniform(-d, d) * h)]
        )  # fmt: skip
        m = cv2.getPerspectiveTransform(src, dst)
        page = cv2.warpPerspective(img, m, (canvas_w, canvas_h), borderValue=0)
        inside = cv2.warpPerspective(np.full_like(img, 255), m, (canvas_w, canvas_h))
        out = np.where(inside > 0, page, desk).astype(np.uint8)
        out = degrade(out, "light", rng)
        out = cv2.GaussianBlur(out, (0, 0), 0.8)
        return degrade(out, "jpeg", rng)
    return img
