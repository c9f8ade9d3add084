"""Assessment report, class/grade screening summary and the workload report."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, Spacer, Table, TableStyle

from app.reports.case_file import _table
from app.reports.pdf import Marking, register, render, styles


@dataclass(frozen=True)
class ProfileRow:
    name: str
    value: float | None
    t_score: float | None


def profile_chart(title: str, rows: list[ProfileRow]) -> bytes:
    """Subscale T scores against the norm (50 ± 10), or raw values where no norm exists."""
    from app.reports.charts import _figure, _font, _png

    fig = _figure(height=3.0)
    ax = fig.add_subplot(1, 1, 1)
    names = [r.name for r in rows]
    values = [r.t_score if r.t_score is not None else (r.value or 0) for r in rows]
    ax.bar(range(len(rows)), values, color="#5c6bc0")
    if any(r.t_score is not None for r in rows):
        ax.axhline(50, color="#424242", linewidth=1)
        ax.axhline(60, color="#c62828", linestyle="--", linewidth=1)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels(names, fontproperties=_font(), rotation=30, ha="right")
    ax.set_title(title, fontproperties=_font())
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def build_assessment_report(
    student: str,
    scale_title: str,
    when: str,
    total: str,
    band: str,
    validity: str,
    critical: str,
    profile: list[ProfileRow],
    interpretation: str,
    marking: Marking,
) -> bytes:
    st = styles()
    story = [
        Paragraph(f"个人测评报告 · {escape(scale_title)}", st["title"]),
        _table(
            [
                ["学生", student],
                ["测评时间", when],
                ["总分", total],
                ["等级", band],
                ["有效性", validity],
                ["危机条目", critical or "无"],
            ],
            [40, 130],
            header=False,
        ),
    ]
    if profile:
        story += [
            Spacer(1, 4 * mm),
            Image(io.BytesIO(profile_chart("因子剖面", profile)), width=165 * mm, height=80 * mm),
            _table(
                [
                    ["因子", "得分", "T分"],
                    *[
                        [
                            p.name,
                            "" if p.value is None else f"{p.value:g}",
                            "" if p.t_score is None else f"{p.t_score:g}",
                        ]
                        for p in profile
                    ],
                ],
                [70, 50, 50],
            ),
        ]
    story += [
        Paragraph("解释", st["h2"]),
        Paragraph(escape(interpretation or "（量表定义未提供解释文本）"), st["body"]),
        Paragraph("本报告为筛查结果，不构成诊断；请结合面谈综合判断。", st["small"]),
    ]
    return render(story, marking)


def _figures_table(rows: list[list[str]], widths: list[float]) -> Table:
    """A table of short labels and counts: plain cells, no paragraph layout per cell, so a
    summary of hundreds of classes lays out in a fraction of the time (nothing here wraps)."""
    t = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), register()),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bdbdbd")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eaf6")),
            ]
        )
    )
    return t


def build_class_summary(
    title: str, rows: list[list[str]], header: list[str], trend: bytes | None, marking: Marking
) -> bytes:
    st = styles()
    story = [
        Paragraph(escape(title), st["title"]),
        _figures_table([header, *rows], [170 / len(header)] * len(header)),
    ]
    if trend:
        story += [Spacer(1, 5 * mm), Image(io.BytesIO(trend), width=165 * mm, height=70 * mm)]
    return render(story, marking)


def build_workload(title: str, header: list[str], rows: list[list[str]], marking: Marking) -> bytes:
    """One row per teacher in the bureau's columns (narrow: the headings wrap)."""
    st = styles()
    first = 22
    rest = (178 - first) / (len(header) - 1)
    return render(
        [
            Paragraph(escape(title), st["title"]),
            _table([header, *rows], [first] + [rest] * (len(header) - 1)),
        ],
        marking,
    )


def build_compliance(title: str, subtitle: str, rows: list[list[str]], marking: Marking) -> bytes:
    """心理课 and 班会课 per class against what is due, the classes falling short first."""
    st = styles()
    header = ["班级", "心理课（已上）", "心理课（应上）", "差额", "心理班会课", "情况"]
    return render(
        [
            Paragraph(escape(title), st["title"]),
            Paragraph(escape(subtitle), st["body"]),
            Spacer(1, 3 * mm),
            _table([header, *rows], [36, 26, 26, 20, 26, 44]),
        ],
        marking,
    )
