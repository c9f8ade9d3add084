"""Smaller confidential documents: network slips, lists, the plan on one page, the recovery-code
sheet (paper for students and parents is in `student_papers`, without the confidential frame)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
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


def build_warning_list(
    rows: list[tuple[str, ...]], heading: str, subtitle: str, marking: Marking
) -> bytes:
    """The warning queue as the counselor filtered it: one line per warning, level first."""
    st = styles()
    head = ["等级", "学生", "班级", "学籍号", "规则", "状态", "预警日期", "逾期任务"]
    cells = [[Paragraph(escape(h), st["small"]) for h in head]]
    cells += [[Paragraph(escape(c), st["small"]) for c in row] for row in rows]
    table = _grid(cells, [14, 20, 24, 30, 40, 14, 20, 12], header=True)
    table.repeatRows = 1
    story = [
        Paragraph(escape(heading), st["title"]),
        Paragraph(escape(subtitle), st["body"]),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 4 * mm),
        Paragraph("本名单仅供心理辅导室跟进使用，勿张贴、勿转发、勿在公开场合讨论。", st["small"]),
    ]
    return render(story, marking)


def build_missing_list(
    heading: str, subtitle: str, rows: list[tuple[str, ...]], marking: Marking
) -> bytes:
    """Who has not finished a plan, in class and 学号 order, to take to the classes."""
    st = styles()
    head = ["班级", "学籍号", "姓名", "情况", "未完成的量表", "记录人"]
    cells = [[Paragraph(escape(h), st["small"]) for h in head]]
    cells += [[Paragraph(escape(c), st["small"]) for c in row] for row in rows]
    table = _grid(cells, [24, 36, 20, 36, 34, 24], header=True)
    table.repeatRows = 1
    return render(
        [
            Paragraph(escape(heading), st["title"]),
            Paragraph(escape(subtitle), st["body"]),
            Spacer(1, 3 * mm),
            table,
            Spacer(1, 4 * mm),
            Paragraph("本名单仅供安排补测使用，勿张贴、勿转发。", st["small"]),
        ],
        marking,
    )


def _signatures(who: list[str]) -> Table:
    """Lines tall enough to sign on by hand, each with its date."""
    t = Table(
        [[w, "", "日期：", ""] for w in who],
        colWidths=[w * mm for w in (32, 60, 18, 60)],
        rowHeights=[12 * mm] * len(who),
    )
    t.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), register()),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9e9e9e")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return t


def build_intervention_plan(plan: dict, marking: Marking) -> bytes:
    """研判 and its intervention plan on one page, with the tasks divided between school and
    family and a line for the parent's signature (the notice asks that parents are told the plan
    and agree their tasks)."""
    st = styles()
    label = ParagraphStyle("label", parent=st["body"], textColor=colors.HexColor("#424242"))

    def para(text: str) -> Paragraph:
        return Paragraph(escape(text or "—").replace("\n", "<br/>"), st["body"])

    facts = [
        [
            Paragraph("学生", label),
            para(plan["student"]),
            Paragraph("班级", label),
            para(plan["class"]),
        ],
        [
            Paragraph("研判日期", label),
            para(plan["date"]),
            Paragraph("研判原因", label),
            para(plan["basis"]),
        ],
        [Paragraph("学校参加人员", label), para(plan["school_participants"]), "", ""],
        [Paragraph("校外专业人员", label), para(plan["outside_participants"]), "", ""],
    ]
    table = _grid(facts, [28, 57, 24, 61])
    table.setStyle(TableStyle([("SPAN", (1, 2), (3, 2)), ("SPAN", (1, 3), (3, 3))]))
    tasks = [[Paragraph(h, st["small"]) for h in ("分工", "负责人", "任务", "完成时限")]]
    tasks += [
        [para(t["side"]), para(t["owner"]), para(t["title"]), para(t["due"] or "")]
        for t in plan["tasks"]
    ] or [[para(""), para(""), para("（未约定）"), para("")]]
    informed = plan["informed"] or "（尚未记录家长知情）"
    story = [
        Paragraph("学生心理研判及干预方案", st["title"]),
        table,
        Paragraph("研判结论", st["h2"]),
        para(plan["findings"]),
        Paragraph("干预方案", st["h2"]),
        para(plan["plan"]),
        Paragraph("家校分工", st["h2"]),
        _grid(tasks, [18, 32, 90, 30], header=True),
        Paragraph("家长知情", st["h2"]),
        para(informed),
        Spacer(1, 2 * mm),
        para("家长意见：" + (plan["parent_response"] or "")),
        Spacer(1, 2 * mm),
        para(f"方案复查日期：{plan['review_on'] or '—'}"),
        Spacer(1, 10 * mm),
        _signatures(["家长签名：", "心理教师签名："]),
        Spacer(1, 4 * mm),
        Paragraph(
            "本方案经家长知情同意后执行；学校与家庭按分工落实并保持沟通。"
            "方案内容仅限学校心理工作人员、班主任及监护人知悉，请妥善保管。",
            st["small"],
        ),
    ]
    return render(story, marking)
