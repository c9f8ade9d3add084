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


def _numbered_canvas(marking: Marking):
    font = register()

    class NumberedCanvas(rl_canvas.Canvas):
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
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            w, h = A4
            self.saveState()
            self.setFont(font, 9)
            self.setFillColor(colors.HexColor("#b71c1c"))
            self.drawString(15 * mm, h - 12 * mm, "机密 · 仅限授权人员阅读 · 不得复制、转发")
            self.drawRightString(w - 15 * mm, h - 12 * mm, marking.title)
            self.setFillColor(colors.black)
            self.drawCentredString(w / 2, 10 * mm, f"第 {self._pageNumber} 页 / 共 {total} 页")
            self.drawString(15 * mm, 10 * mm, f"编号 {marking.serial}")
            self.setFont(font, 20)
            self.setFillColor(colors.Color(0.6, 0.6, 0.6, alpha=0.18))
            self.translate(w / 2, h / 2)
            self.rotate(35)
            text = f"{marking.user} · {marking.printed_at} · {marking.serial}"
            for dy in (-220, 0, 220):
                self.drawCentredString(0, dy, text)
            self.restoreState()

    return NumberedCanvas


def render(story: list, marking: Marking) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=marking.title,
        author="XinDang",
        creator="XinDang",
    )
    doc.build(story, canvasmaker=_numbered_canvas(marking))
    return buf.getvalue()


def _plain_canvas(marking: Marking):
    """For paper a student or parent holds: page numbers and the serial (to trace a lost
    sheet), no 机密 banner and no watermark — nothing that marks the reader as a case."""
    font = register()

    class PlainCanvas(rl_canvas.Canvas):
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
                w, _h = A4
                self.saveState()
                self.setFont(font, 8)
                self.setFillColor(colors.grey)
                self.drawCentredString(w / 2, 10 * mm, f"第 {self._pageNumber} 页 / 共 {total} 页")
                self.drawRightString(w - 15 * mm, 10 * mm, marking.serial)
                self.restoreState()
                super().showPage()
            super().save()

    return PlainCanvas


def render_plain(story: list, marking: Marking) -> bytes:
    """`render` for student- and parent-facing paper (see `_plain_canvas`)."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=marking.title,
        author="XinDang",
        creator="XinDang",
    )
    doc.build(story, canvasmaker=_plain_canvas(marking))
    return buf.getvalue()
