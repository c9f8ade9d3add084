"""The confidential page frame: 机密 banner, a watermark with user, time and serial on every page,
and "第 x 页 / 共 y 页". Rendered into memory; nothing is written to disk here."""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import SimpleDocTemplate

from app.reports.fonts import register


@dataclass(frozen=True)
class Marking:
    serial: str
    user: str
    printed_at: str
    title: str


def styles() -> dict[str, ParagraphStyle]:
    font = register()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=24, spaceAfter=8),
        "h2": ParagraphStyle(
            "h2",
            fontName=font,
            fontSize=13,
            leading=18,
            spaceBefore=10,
            spaceAfter=4,
            textColor=colors.HexColor("#1a237e"),
        ),
        "body": ParagraphStyle("body", fontName=font, fontSize=10, leading=15),
        "small": ParagraphStyle(
            "small", fontName=font, fontSize=8, leading=11, textColor=colors.grey
        ),
    }


def _confidential_frame(c, marking: Marking, font: str, total: int) -> None:
    """机密 banner, page x / y, serial, and the watermark with user, time and serial."""
    w, h = A4
    c.setFont(font, 9)
    c.setFillColor(colors.HexColor("#b71c1c"))
    c.drawString(15 * mm, h - 12 * mm, "机密 · 仅限授权人员阅读 · 不得复制、转发")
    c.drawRightString(w - 15 * mm, h - 12 * mm, marking.title)
    c.setFillColor(colors.black)
    c.drawCentredString(w / 2, 10 * mm, f"第 {c.getPageNumber()} 页 / 共 {total} 页")
    c.drawString(15 * mm, 10 * mm, f"编号 {marking.serial}")
    c.setFont(font, 20)
    c.setFillColor(colors.Color(0.6, 0.6, 0.6, alpha=0.18))
    c.translate(w / 2, h / 2)
    c.rotate(35)
    text = f"{marking.user} · {marking.printed_at} · {marking.serial}"
    for dy in (-220, 0, 220):
        c.drawCentredString(0, dy, text)


def _plain_frame(c, marking: Marking, font: str, total: int) -> None:
    """For paper a student or parent holds: page numbers and the serial (to trace a lost
    sheet), no 机密 banner and no watermark — nothing that marks the reader as a case."""
    w, _h = A4
    c.setFont(font, 8)
    c.setFillColor(colors.grey)
    c.drawCentredString(w / 2, 10 * mm, f"第 {c.getPageNumber()} 页 / 共 {total} 页")
    c.drawRightString(w - 15 * mm, 10 * mm, marking.serial)


def _framed_canvas(marking: Marking, frame):
    font = register()

    class FramedCanvas(rl_canvas.Canvas):
        """Two passes: pages are kept until the end so each can say how many there are."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 - reportlab API
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.saveState()
                frame(self, marking, font, total)
                self.restoreState()
                super().showPage()
            super().save()

    return FramedCanvas


def _build(story: list, marking: Marking, frame, top_mm: float) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=top_mm * mm,
        bottomMargin=18 * mm,
        title=marking.title,
        author="XinDang",
        creator="XinDang",
    )
    doc.build(story, canvasmaker=_framed_canvas(marking, frame))
    return buf.getvalue()


def render(story: list, marking: Marking) -> bytes:
    return _build(story, marking, _confidential_frame, 20)


def render_plain(story: list, marking: Marking) -> bytes:
    """`render` for student- and parent-facing paper (see `_plain_frame`)."""
    return _build(story, marking, _plain_frame, 16)
