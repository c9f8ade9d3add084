"""Smaller confidential documents: network slips, blank answer sheets, the recovery-code sheet."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.reports.fonts import register
from app.reports.pdf import Marking, render, styles
from app.risk.levels import short_name

SLIP_LABELS = {
    "student": "学生",
    "class": "班级",
    "level": "预警等级",
    "status": "状态",
    "attention": "关注程度",
    "actions": "请您协助",
    "counselor": "心理教师联系方式",
}
ROLE_TITLES = {
    "principal": "校长",
    "head_teacher": "班主任",
    "guardian": "家长",
    "counselor": "心理教师",
}


def _grid(rows, widths, header=False):
    t = Table(rows, colWidths=[w * mm for w in widths])
    style = [
        ("FONTNAME", (0, 0), (-1, -1), register()),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9e9e9e")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    t.setStyle(TableStyle(style))
    return t


def build_slips(slips: list[dict], role: str, marking: Marking) -> bytes:
    """One bordered slip per student, two to a page; only the fields the role may see."""
    st = styles()
    story = []
    for i, slip in enumerate(slips):
        rows = [
            [
                Paragraph(SLIP_LABELS[k], st["body"]),
                Paragraph(escape(short_name(v) if k == "level" else str(v)), st["body"]),
            ]
            for k, v in slip.items()
        ]
        block = [
            Paragraph(f"学生关注告知单（{ROLE_TITLES[role]}）", st["h2"]),
            _grid(rows, [40, 130]),
            Paragraph("请妥善保管本告知单，勿转交他人，勿在公开场合讨论。", st["small"]),
            Spacer(1, 8 * mm),
        ]
        story.append(KeepTogether(block))
        if i % 2 == 1:
            story.append(CondPageBreak(120 * mm))
    return render(story, marking)


def build_answer_sheets(
    scale_title: str,
    item_count: int,
    options: list[str],
    students: list[tuple[str, str, str]],
    marking: Marking,
    columns: int = 10,
) -> bytes:
    """A blank sheet per student: header, then an answer grid in the same order as paper entry."""
    st = styles()
    story = []
    blank = students or [("", "", "")]
    for name, klass, number in blank:
        story.append(Paragraph(escape(scale_title), st["title"]))
        story.append(
            _grid([["姓名", name, "班级", klass, "学籍号", number]], [18, 40, 18, 30, 20, 44])
        )
        story.append(Spacer(1, 4 * mm))
        story.append(
            Paragraph(
                "选项：" + escape("  ".join(options)) + "　（在对应题号下写选项分值）", st["body"]
            )
        )
        story.append(Spacer(1, 3 * mm))
        for start in range(1, item_count + 1, columns):
            numbers = [str(i) for i in range(start, min(start + columns, item_count + 1))]
            story.append(_grid([numbers, [""] * len(numbers)], [16] * len(numbers), header=True))
            story.append(Spacer(1, 2 * mm))
        story.append(PageBreak())
    return render(story, marking)


def build_recovery_sheet(school: str, vault_id: str, code: str, marking: Marking) -> bytes:
    st = styles()
    story = [
        Paragraph("心档档案库恢复码", st["title"]),
        Paragraph(escape(school), st["h2"]),
        Paragraph(f"档案库编号：{escape(vault_id)}", st["body"]),
        Spacer(1, 10 * mm),
        _grid([[Paragraph(f"<font size=18>{escape(code)}</font>", st["body"])]], [170]),
        Spacer(1, 10 * mm),
        Paragraph(
            "所有密码都遗忘时，可用此恢复码解锁档案库并重置密码。请密封保管（例如交校长保管），"
            "不要拍照或存入电脑、网盘。重新生成恢复码后，本页即作废，请销毁。",
            st["body"],
        ),
    ]
    return render(story, marking)
