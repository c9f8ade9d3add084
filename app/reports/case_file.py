"""The 一生一档 case file: cover, basic information, family, warnings, assessments with trend
charts, and the chosen record sections. Private process notes appear only when asked for."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Image, PageBreak, Paragraph, Spacer, Table, TableStyle

from app.reports import charts
from app.reports.fonts import register
from app.reports.pdf import Marking, render, styles
from app.risk.levels import short_name

SECTIONS = (
    "basic",
    "family",
    "warnings",
    "assessments",
    "sessions",
    "groups",
    "contacts",
    "referrals",
    "observations",
    "crisis",
    "private_notes",
)
DEFAULT_SECTIONS = tuple(s for s in SECTIONS if s != "private_notes")
SECTION_TITLES = {
    "basic": "基本信息",
    "family": "家庭情况与监护人",
    "warnings": "预警记录",
    "assessments": "测评记录",
    "sessions": "个案与个体辅导",
    "groups": "团体辅导",
    "contacts": "家校联系",
    "referrals": "转介",
    "observations": "观察报告",
    "crisis": "危机干预",
    "private_notes": "私人过程笔记（经明确选择打印）",
}
RECORD_SECTIONS = {
    "sessions": ("case", "session"),
    "groups": ("group_session",),
    "contacts": ("contact",),
    "referrals": ("referral",),
    "observations": ("observation",),
    "crisis": ("crisis",),
    "private_notes": ("private_note",),
}


@dataclass
class CaseFileData:
    school: str
    basic: list[tuple[str, str]]
    family: list[tuple[str, str]]
    guardians: list[tuple[str, str, str]]
    assessments: list[tuple[dt.datetime, str, str, str, str]]  # when, scale, total, band, critical
    trends: dict[str, list[tuple[dt.datetime, float]]] = field(default_factory=dict)
    warnings: list[tuple[dt.datetime, str, str]] = field(
        default_factory=list
    )  # when, level, status
    records: list[tuple[dt.datetime, str, str, str]] = field(
        default_factory=list
    )  # when, kind, title, text


def _table(rows: list[list[str]], widths: list[float], header: bool = True) -> Table:
    font = register()
    st = styles()["body"]
    data = [[Paragraph(escape(str(c)), st) for c in row] for row in rows]
    t = Table(data, colWidths=[w * mm for w in widths], repeatRows=1 if header else 0)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bdbdbd")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eaf6")))
    t.setStyle(TableStyle(style))
    return t


def build_case_file(
    data: CaseFileData, marking: Marking, sections: tuple[str, ...] = DEFAULT_SECTIONS
) -> bytes:
    st = styles()
    story: list = [
        Spacer(1, 40 * mm),
        Paragraph("学生心理健康档案（一生一档）", st["title"]),
        Paragraph(escape(data.school), st["h2"]),
        Paragraph(
            escape(" · ".join(v for k, v in data.basic if k in ("姓名", "年级班级", "学籍号"))),
            st["body"],
        ),
        Spacer(1, 10 * mm),
        Paragraph(
            f"打印编号 {marking.serial} · 打印人 {escape(marking.user)} · {marking.printed_at}",
            st["body"],
        ),
        Paragraph(
            "本档案含未成年人敏感个人信息，仅限工作需要的授权人员阅读；用后请妥善保管或按规定销毁。",
            st["small"],
        ),
        PageBreak(),
    ]
    if "basic" in sections:
        story += [
            Paragraph(SECTION_TITLES["basic"], st["h2"]),
            _table([[k, v] for k, v in data.basic], [40, 130], False),
        ]
    if "family" in sections:
        story += [
            Paragraph(SECTION_TITLES["family"], st["h2"]),
            _table([[k, v] for k, v in data.family], [40, 130], False),
            Spacer(1, 3 * mm),
            _table([["监护人", "关系", "电话"], *[list(g) for g in data.guardians]], [50, 40, 80]),
        ]
    if "warnings" in sections:
        story.append(Paragraph(SECTION_TITLES["warnings"], st["h2"]))
        if data.warnings:
            story.append(
                Image(
                    io.BytesIO(charts.level_chart([(w[0], w[1]) for w in data.warnings])),
                    width=165 * mm,
                    height=60 * mm,
                )
            )
            story.append(
                _table(
                    [
                        ["日期", "等级", "状态"],
                        *[[f"{w[0]:%Y-%m-%d}", short_name(w[1]), w[2]] for w in data.warnings],
                    ],
                    [40, 40, 90],
                )
            )
        else:
            story.append(Paragraph("无", st["body"]))
    if "assessments" in sections:
        story.append(Paragraph(SECTION_TITLES["assessments"], st["h2"]))
        rows = [[f"{a[0]:%Y-%m-%d}", a[1], a[2], a[3], a[4]] for a in data.assessments]
        story.append(
            _table([["日期", "量表", "总分", "等级", "危机条目"], *rows], [28, 30, 20, 60, 32])
        )
        for scale, points in list(data.trends.items())[:3]:
            story.append(
                Image(
                    io.BytesIO(charts.trend_chart(f"{scale} 趋势", points)),
                    width=165 * mm,
                    height=70 * mm,
                )
            )
    for key, kinds in RECORD_SECTIONS.items():
        if key not in sections:
            continue
        rows = [r for r in data.records if r[1] in kinds]
        story.append(Paragraph(SECTION_TITLES[key], st["h2"]))
        if not rows:
            story.append(Paragraph("无", st["body"]))
        for when, _kind, title, text in rows:
            story.append(Paragraph(f"<b>{when:%Y-%m-%d %H:%M}</b>  {escape(title)}", st["body"]))
            story.append(Paragraph(escape(text).replace("\n", "<br/>"), st["body"]))
            story.append(Spacer(1, 2 * mm))
    return render(story, marking)
