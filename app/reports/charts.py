"""Charts as PNG bytes, the same for the UI and for PDFs. Figure + Agg canvas: no pyplot, no
global state, no Qt backend chosen in the core."""

from __future__ import annotations

import datetime as dt
import io
from functools import cache

from app.risk.levels import LEVELS

LEVEL_Y = {lv.id: len(LEVELS) - lv.order for lv in LEVELS}  # 关注 at the bottom, 一级 on top
LEVEL_COLORS = {lv.id: lv.color for lv in LEVELS}


@cache
def _font():
    from matplotlib.font_manager import FontProperties

    from app.reports.fonts import font_path

    return FontProperties(fname=str(font_path()))


def _figure(width: float = 6.0, height: float = 2.6):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(fig)
    return fig


def _dates(ax) -> None:
    from matplotlib.dates import AutoDateLocator, DateFormatter

    ax.xaxis.set_major_locator(AutoDateLocator(minticks=2, maxticks=6))
    ax.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def trend_chart(
    title: str, points: list[tuple[dt.datetime, float]], *, cutoff: float | None = None
) -> bytes:
    """A scale's totals over time, with the screening cut-off as a dashed line."""
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    ax.plot(xs, ys, marker="o", color="#1565c0")
    if cutoff is not None:
        ax.axhline(cutoff, color="#c62828", linestyle="--", linewidth=1)
    # Totals are never negative: the axis is 0 … the larger of the data and the cut-off
    # (all-zero totals drew −0.05 … 0.05).
    top = max([*ys, cutoff or 0, 1]) * 1.15
    ax.set_ylim(-0.04 * top, top)  # a sliver below 0 so points at 0 are not cut in half
    ax.set_title(title, fontproperties=_font())
    ax.grid(alpha=0.3)
    _dates(ax)
    fig.autofmt_xdate()
    return _png(fig)


def level_chart(points: list[tuple[dt.datetime, str]]) -> bytes:
    """Warning level over time (关注 … 一级) as coloured steps."""
    fig = _figure(height=2.2)
    ax = fig.add_subplot(1, 1, 1)
    for when, level in points:
        ax.scatter([when], [LEVEL_Y[level]], color=LEVEL_COLORS[level], s=60, zorder=3)
    if points:
        ax.step(
            [p[0] for p in points], [LEVEL_Y[p[1]] for p in points], where="post", color="#9e9e9e"
        )
    ax.set_yticks([LEVEL_Y[lv.id] for lv in LEVELS])
    ax.set_yticklabels([lv.short for lv in LEVELS], fontproperties=_font())
    ax.set_ylim(0.5, 4.5)
    ax.grid(alpha=0.3)
    _dates(ax)
    fig.autofmt_xdate()
    return _png(fig)


def rate_chart(title: str, points: list[tuple[str, float]]) -> bytes:
    """Share of positive screens per semester, in percent."""
    fig = _figure(height=2.6)
    ax = fig.add_subplot(1, 1, 1)
    ax.bar([p[0] for p in points], [p[1] for p in points], color="#ef6c00")
    for i, (_label, value) in enumerate(points):
        ax.text(i, value, f"{value:.1f}%", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(points)))
    ax.set_xticklabels([p[0] for p in points], fontproperties=_font())
    ax.set_title(title, fontproperties=_font())
    ax.set_ylabel("%")
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)
