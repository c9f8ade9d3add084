"""The embedded CJK font for PDFs and charts, registered once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

FONT = "XinDangSans"


def font_path() -> Path:
    from app.paths import resources_dir

    return resources_dir() / "fonts" / "wqy-microhei.ttc"


@cache
def register() -> str:
    """Register the TrueType CJK font with reportlab (embedded as a subset in every PDF)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, str(font_path()), subfontIndex=0))
    return FONT
