"""Assessment report, class/grade screening summary and the workload report."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, Spacer, Table, TableStyle

from app.reports.case_file import _table
from app.reports.pdf import Marking, register, render, styles
from app.scales.statistics import mean_text, percent_text


def factor_chart(title: str, factors: list, cutoff_label: str) -> bytes:
    """Factor scores on their own scale (a 1–5 mean, or a raw sum), each bar against its own
    cut-off; T scores are never drawn on this axis."""
    from app.reports.charts import _figure, _font, _png

    fig = _figure(height=3.0)
    ax = fig.add_subplot(1, 1, 1)
    values = [f.value or 0 for f in factors]
    ax.bar(
        range(len(factors)),
        [v - min(f.bounds[0] for f in factors) for v in values],
        bottom=min(f.bounds[0] for f in factors),
        color=["#c62828" if f.over else "#5c6bc0" for f in factors],
    )
    for i, f in enumerate(factors):
        if f.cutoff is not None:
            ax.hlines(f.cutoff, i - 0.4, i + 0.4, colors="#c62828", linestyles="--", linewidth=1)
    low = min(f.bounds[0] for f in factors)
    high = max(f.bounds[1] for f in factors)
    if high > low:
        ax.set_ylim(low, high)  # the scale's own range: a 1–5 mean starts at 1
    ax.set_xticks(range(len(factors)))
    ax.set_xticklabels([f.name for f in factors], fontproperties=_font(), rotation=30, ha="right")
    ax.set_title(title, fontproperties=_font())
    ax.set_xlabel(cutoff_label, fontproperties=_font())
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def build_assessment_report(facts, marking: Marking) -> bytes:
    """`facts` is services.assessment_reports.ReportFacts: every sentence is decided there."""
    st = styles()
    story = [
        Paragraph(f"个人测评报告 · {escape(facts.scale_title)}", st["title"]),
        _table(
            [
                ["学生", facts.student],
                ["测评时间", facts.when],
                ["总分", facts.total],
                ["筛查结果", facts.band or "—"],
                *[[label, value] for label, value in facts.indices],
                *([["效度（测谎）量表", facts.lie]] if facts.lie else []),
                ["危机条目", facts.critical or "无"],
            ],
            [50, 120],
            header=False,
        ),
    ]
    if facts.factors:
        flagged = [f.name for f in facts.factors if f.over]
        has_t = any(f.t_score is not None for f in facts.factors)
        rows = [["因子", "因子分", "划界", *(["T 分（常模）"] if has_t else [])]]
        for f in facts.factors:
            mark = "  ▲" if f.over else ""
            rows.append(
                [
                    f.name,
                    ("" if f.value is None else f"{f.value:g}") + mark,
                    "" if f.cutoff is None else f"≥ {f.cutoff:g}",
                    *([("" if f.t_score is None else f"{f.t_score:g}")] if has_t else []),
                ]
            )
        story += [
            Paragraph("因子", st["h2"]),
            Image(
                io.BytesIO(factor_chart("因子分（虚线为各因子划界）", list(facts.factors), "")),
                width=165 * mm,
                height=75 * mm,
            ),
            _table(rows, [70, 35, 30, 35] if has_t else [80, 45, 45]),
            Paragraph(
                escape(
                    "达到划界的因子（▲）：" + "、".join(flagged)
                    if flagged
                    else "没有因子达到划界。"
                ),
                st["body"],
            ),
        ]
    story += [Paragraph("有效性", st["h2"])]
    story += [Paragraph(escape(v), st["body"]) for v in facts.validity] or [
        Paragraph("作答完整，未发现影响结果可信度的情况。", st["body"])
    ]
    if facts.norm:
        story += [Paragraph("常模与适用人群", st["h2"]), Paragraph(escape(facts.norm), st["body"])]
    if facts.change:
        story += [
            Paragraph("与上次测评比较", st["h2"]),
            Paragraph(escape(facts.change), st["body"]),
        ]
    story += [
        Paragraph("解释", st["h2"]),
        Paragraph(escape(facts.interpretation or "—"), st["body"]),
        Spacer(1, 3 * mm),
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


def build_screening_summary(title: str, stats, trend: bytes | None, marking: Marking) -> bytes:
    """Per class (this semester), then groups this semester beside the last, then reliable
    change: `stats` is services.screening_statistics.ScreeningStatistics."""
    st = styles()
    header = ["班级", "人数", "已测", "有效", "无效", *stats.band_labels, "阳性"]
    rows = [
        [
            c.label,
            str(c.roster),
            str(c.taken),
            str(c.valid),
            str(c.invalid),
            *[str(n) for n in c.bands],
            str(c.positive),
        ]
        for c in stats.classes
    ]
    first = 26
    rest = (174 - first) / (len(header) - 1)
    groups = [["分组", "学期", "有效", "无效", "阳性", "阳性率（95% CI）", "总分均值（95% CI）"]]
    groups += [
        [
            f.group,
            f.semester,
            str(f.valid),
            str(f.invalid),
            str(f.positive),
            percent_text(f.rate),
            mean_text(f.mean),
        ]
        for f in stats.figures
    ]
    story = [
        Paragraph(escape(title), st["title"]),
        Paragraph(
            f"本学期：{escape(stats.semester)}（各班为每名学生本学期最近一次答卷）", st["body"]
        ),
        Spacer(1, 2 * mm),
        _figures_table([header, *rows], [first] + [rest] * (len(header) - 1)),
        Spacer(1, 2 * mm),
        Paragraph(
            "“有效”各档人数之和等于有效答卷数；无效答卷（作答过快、漏答过多、测谎分过高等）"
            "不计入各档和阳性率，单独列出，需重测。",
            st["small"],
        ),
        Paragraph("分组统计：本学期与上学期", st["h2"]),
        _figures_table(groups, [30, 18, 14, 14, 14, 44, 40]),
        Paragraph(
            "阳性率的 95% 置信区间用 Wilson 法，总分均值的 95% 置信区间用 t 分布；"
            "人数少的班级区间很宽，比较时请看区间是否重叠。",
            st["small"],
        ),
    ]
    if stats.change is not None:
        c = stats.change
        story += [
            Paragraph("两次筛查之间的可靠变化", st["h2"]),
            Paragraph(
                escape(
                    f"上学期与本学期都有有效答卷的学生 {c.pairs} 名：可靠上升 {c.up} 名，"
                    f"可靠下降 {c.down} 名，无可靠变化 {c.unchanged} 名"
                    f"（Jacobson–Truax 可靠变化指数，|RCI| > 1.96；{c.source}，见量表定义）。"
                ),
                st["body"],
            ),
        ]
    if trend:
        story += [Spacer(1, 4 * mm), Image(io.BytesIO(trend), width=165 * mm, height=60 * mm)]
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
