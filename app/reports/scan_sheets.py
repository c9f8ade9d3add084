"""Answer sheets a scanner can read: four ArUco corner markers, a QR code with the plan, scale,
version, the student's opaque token and the page, and bubbles large enough for a pen or a
pencil — everywhere as `app.scan.layout` says, which the reader uses too."""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.pdfgen import canvas as rl_canvas

from app.reports.fonts import register
from app.scan.layout import (
    MARKER,
    MM,
    NUMBER_W,
    PAGE_H,
    PAGE_W,
    PITCH_X,
    Payload,
    SheetLayout,
)

# ArUco DICT_4X4_50 markers 0–3 with their black border (1 = white), as OpenCV draws them.
MARKER_BITS = (
    ("000000", "010110", "001010", "000110", "000100", "000000"),
    ("000000", "000000", "011110", "010010", "010100", "000000"),
    ("000000", "000110", "000110", "000100", "011010", "000000"),
    ("000000", "010010", "010010", "001000", "001100", "000000"),
)


@dataclass(frozen=True)
class SheetFor:
    name: str
    klass: str
    token: str


def _marker(c, marker_id: int, cx: float, cy: float) -> None:
    cell = MARKER / 6
    x0, y0 = cx - MARKER / 2, cy + MARKER / 2
    c.setFillColor(colors.black)
    c.rect(x0, y0 - MARKER, MARKER, MARKER, stroke=0, fill=1)
    c.setFillColor(colors.white)
    for r, row in enumerate(MARKER_BITS[marker_id]):
        for k, bit in enumerate(row):
            if bit == "1":
                c.rect(x0 + k * cell, y0 - (r + 1) * cell, cell, cell, stroke=0, fill=1)


def _qr(c, text: str, x: float, y: float, side: float) -> None:
    widget = QrCodeWidget(text, barLevel="L", barBorder=2)
    bx0, by0, bx1, by1 = widget.getBounds()
    d = Drawing(side, side, transform=[side / (bx1 - bx0), 0, 0, side / (by1 - by0), 0, 0])
    d.add(widget)
    renderPDF.draw(d, c, x, y)


def build_scan_sheets(
    title: str,
    legend: str,
    layout: SheetLayout,
    sheets: list[SheetFor],
    payload: Payload,
    serial: str,
) -> bytes:
    """Every page of every student's sheet (no 机密 banner: students hold these)."""
    font = register()
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H))
    c.setTitle(title)
    c.setAuthor("XinDang")
    for who in sheets or [SheetFor("", "", "")]:
        for page in range(1, layout.pages + 1):
            for i, (mx, my) in enumerate(layout.markers):
                _marker(c, i, mx, my)
            qx, qy, side = layout.qr
            data = Payload(
                payload.plan, payload.scale, payload.version, who.token, page, layout.pages
            )
            _qr(c, data.encode(), qx, qy, side)
            c.setFillColor(colors.black)
            c.setFont(font, 16)
            c.drawString(26 * MM, PAGE_H - 20 * MM, title)
            c.setFont(font, 11)
            c.drawString(26 * MM, PAGE_H - 28 * MM, f"姓名：{who.name or '＿＿＿＿＿＿'}")
            c.drawString(80 * MM, PAGE_H - 28 * MM, f"班级：{who.klass or '＿＿＿＿＿＿'}")
            c.setFont(font, 9)
            c.drawString(
                26 * MM,
                PAGE_H - 35 * MM,
                "用黑色笔或 2B 铅笔把所选答案的圆圈涂满；改答案时请把原来的擦干净。每题只涂一个。",
            )
            c.drawString(26 * MM, PAGE_H - 40 * MM, legend[:90])
            if layout.pages > 1:
                c.drawRightString(PAGE_W - 26 * MM, 14 * MM, f"第 {page} 页 / 共 {layout.pages} 页")
            c.setFont(font, 7)
            c.setFillColor(colors.grey)
            c.drawString(26 * MM, 14 * MM, serial)
            for pg, x0, y_head, options in layout.columns:
                if pg != page:
                    continue
                c.setFont(font, 8)
                c.setFillColor(colors.HexColor("#424242"))
                for k, value in enumerate(options):
                    c.drawCentredString(x0 + NUMBER_W + (k + 0.5) * PITCH_X, y_head - 1, str(value))
            items_done: set[int] = set()
            for b in layout.bubbles_of(page):
                if b.item not in items_done:
                    items_done.add(b.item)
                    c.setFont(font, 9)
                    c.setFillColor(colors.black)
                    c.drawRightString(b.x - 5 * MM, b.y - 3, str(b.item))
                c.setStrokeColor(colors.HexColor("#8a8a8a"))
                c.setLineWidth(0.7)
                c.circle(b.x, b.y, b.d / 2, stroke=1, fill=0)
                c.setFont(font, 6.5)
                c.setFillColor(colors.HexColor("#c4c4c4"))
                c.drawCentredString(b.x, b.y - 2.3, str(b.option))
            c.showPage()
    c.save()
    return buf.getvalue()
