"""Paper students and parents hold: answer sheets, complete questionnaires, the feedback sheet
and the parent letter. A neutral title (心理健康问卷 A …), never a scale's clinical name, and
the plain frame: no 机密 banner, no watermark — a classmate's glance learns nothing."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from app.reports.fonts import register
from app.reports.pdf import Marking, render_plain, styles
from app.scales.paper_layout import SHEET_COLUMNS

HOTLINE = "12356"  # the national psychological assistance hotline (全国统一心理援助热线)


@dataclass(frozen=True)
class Person:
    name: str
    klass: str
    number: str


@dataclass(frozen=True)
class Item:
    number: int
    text: str
    options: tuple[tuple[int, str], ...]


def _grid(rows, widths, header: bool = False, size: float = 10) -> Table:
    t = Table(rows, colWidths=[w * mm for w in widths])
    style = [
        ("FONTNAME", (0, 0), (-1, -1), register()),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9e9e9e")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    t.setStyle(TableStyle(style))
    return t


def _head(title: str, person: Person) -> list:
    st = styles()
    return [
        Paragraph(escape(title), st["title"]),
        _grid(
            [["姓名", person.name, "班级", person.klass, "学籍号", person.number]],
            [18, 40, 18, 30, 20, 44],
        ),
        Spacer(1, 4 * mm),
    ]


def build_answer_sheets(
    title: str,
    item_count: int,
    options: list[str],
    people: list[Person],
    marking: Marking,
    columns: int = SHEET_COLUMNS,
) -> bytes:
    """A blank sheet per student: header, then an answer grid in the same order as paper entry
    (rows of `columns` boxes: the cell the reconciliation view names)."""
    st = styles()
    story: list = []
    for person in people or [Person("", "", "")]:
        story += _head(title, person)
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
    return render_plain(story, marking)


def build_questionnaires(
    title: str,
    instructions: str,
    items: list[Item],
    people: list[Person],
    marking: Marking,
) -> bytes:
    """The whole questionnaire per student: each item's words and a box per answer to tick."""
    st = styles()
    cell = ParagraphStyle("cell", parent=st["body"], fontSize=9.5, leading=13)
    labels = [label for _v, label in items[0].options]
    same = all([lb for _v, lb in it.options] == labels for it in items)
    story: list = []
    for person in people or [Person("", "", "")]:
        story += _head(title, person)
        if instructions:
            story += [Paragraph(escape(instructions), st["body"]), Spacer(1, 3 * mm)]
        opt_w = 92 / max(len(labels), 1)
        rows = [["", Paragraph("题目", cell), *[Paragraph(escape(lb), cell) for lb in labels]]]
        for it in items:
            boxes = [f"□ {v}" for v, _lb in it.options]
            if not same:
                boxes = [Paragraph(escape(f"□ {v} {lb}"), cell) for v, lb in it.options]
            rows.append([str(it.number), Paragraph(escape(it.text), cell), *boxes])
        table = _grid(rows, [8, 70, *[opt_w] * len(labels)], header=True, size=9.5)
        table.repeatRows = 1
        story += [
            table,
            Spacer(1, 4 * mm),
            Paragraph("请检查每一题都只勾选了一个方框。谢谢你的认真作答！", st["small"]),
            PageBreak(),
        ]
    return render_plain(story, marking)


def _spaced(st: dict) -> ParagraphStyle:
    return ParagraphStyle("letter", parent=st["body"], fontSize=10.5, leading=17, spaceAfter=5)


def build_feedback_sheets(
    title: str, people: list[Person], room: str, contact: str, marking: Marking
) -> bytes:
    """The same words for every student (who is invited to talk is never written here)."""
    st = styles()
    story: list = []
    for person in people or [Person("", "", "")]:
        name = person.name or "　　　　"
        paragraphs = [
            f"{name} 同学：",
            "感谢你参加本学期的心理健康问卷。问卷只是了解同学们近期状态的一种方式，"
            "不是考试，也不是诊断，答案没有好坏之分。",
            "你的答卷由心理老师保管，不会公开，也不会告诉其他同学。",
            "接下来，心理老师会和一部分同学单独聊一聊，这是学校的常规做法，"
            "被约谈并不代表你“有问题”。如果你最近有烦恼，也欢迎随时主动来找心理老师。",
            f"有事可以找心理老师：{contact}（{room}）。",
            "如果你感到非常难受，或者有伤害自己的想法，请马上告诉你信任的大人"
            f"（家长、班主任或心理老师），也可以拨打全国心理援助热线 {HOTLINE}。",
        ]
        block = [Paragraph(escape(f"{title} · 给同学的话"), st["title"])]
        block += [Paragraph(escape(p), _spaced(st)) for p in paragraphs]
        block.append(Spacer(1, 14 * mm))
        story.append(KeepTogether(block))
    return render_plain(story, marking)


def build_parent_letters(
    title: str, people: list[Person], school: str, contact: str, day: str, marking: Marking
) -> bytes:
    """To each student's parents: screening is not diagnosis, what happens next, how to help."""
    st = styles()
    story: list = []
    for person in people or [Person("", "", "")]:
        name = person.name or "　　　　"
        paragraphs = [
            f"尊敬的{name}同学家长：",
            "您好！本学期学校按照教育部门关于学生心理健康工作的要求，组织全体学生参加了心理健康问卷。",
            "一、问卷是了解学生近期心理状态的筛查方式，结果不等于诊断，更不代表孩子“有病”。",
            "二、问卷结果由学校心理教师保密保管，只用于学校的心理健康教育和对学生的关心，不会公开。",
            "三、接下来，心理教师会与部分学生进行常规面谈；如需要家长配合，心理教师会单独与您联系。"
            "如有需要，学校会建议您带孩子到专业医疗机构作进一步评估。",
            "四、请您多留意孩子的情绪、睡眠、饮食和学习状态，多倾听、少指责。"
            "如发现孩子情绪持续低落，或有伤害自己的言行，请及时与班主任或心理教师联系，"
            f"也可拨打全国心理援助热线 {HOTLINE}。",
            f"心理教师联系方式：{contact}",
        ]
        block = [Paragraph("致家长的一封信", st["title"])]
        block += [Paragraph(escape(p), _spaced(st)) for p in paragraphs]
        right = ParagraphStyle("sign", parent=st["body"], alignment=2)
        block += [
            Spacer(1, 6 * mm),
            Paragraph(escape(f"{school} 心理辅导室"), right),
            Paragraph(escape(day), right),
            PageBreak(),
        ]
        story += block
    return render_plain(story, marking)
