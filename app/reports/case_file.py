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

from app.i18n import _
from app.records.kinds import CASE_FILE_SECTIONS, KINDS
from app.reports import charts
from app.reports.fonts import register
from app.reports.pdf import Marking, render, styles
from app.risk.levels import short_name

# The record sections come from the record kinds (each kind names its section), so a kind
# added later is printed without anyone remembering this file.
SECTIONS = ("basic", "family", "warnings", "assessments", *CASE_FILE_SECTIONS)
DEFAULT_SECTIONS = tuple(s for s in SECTIONS if s != "private_notes")
_FIXED_TITLES = {
    "basic": "基本信息",
    "family": "家庭情况与监护人",
    "warnings": "预警记录",
    "assessments": "测评记录",
}


def section_title(key: str) -> str:
    return _FIXED_TITLES.get(key) or _(CASE_FILE_SECTIONS[key])


RECORD_SECTIONS = {
    key: tuple(k for k, kind in KINDS.items() if kind.case_file == key)
    for key in CASE_FILE_SECTIONS
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
            Paragraph(section_title("basic"), st["h2"]),
            _table([[k, v] for k, v in data.basic], [40, 130], False),
        ]
    if "family" in sections:
        story += [
            Paragraph(section_title("family"), st["h2"]),
            _table([[k, v] for k, v in data.family], [40, 130], False),
            Spacer(1, 3 * mm),
            _table([["监护人", "关系", "电话"], *[list(g) for g in data.guardians]], [50, 40, 80]),
        ]
    if "warnings" in sections:
        story.append(Paragraph(section_title("warnings"), st["h2"]))
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
        story.append(Paragraph(section_title("assessments"), st["h2"]))
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
        story.append(Paragraph(section_title(key), st["h2"]))
        if not rows:
            story.append(Paragraph("无", st["body"]))
        for when, _kind, title, text in rows:
            story.append(Paragraph(f"<b>{when:%Y-%m-%d %H:%M}</b>  {escape(title)}", st["body"]))
            story.append(Paragraph(escape(text).replace("\n", "<br/>"), st["body"]))
            story.append(Spacer(1, 2 * mm))
    return render(story, marking)
