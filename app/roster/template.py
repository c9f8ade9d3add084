"""The 名册 template a school fills in: the first sheet is the roster the importer reads back,
headed by the column names it knows; the second says how to fill it in."""

from __future__ import annotations

from pathlib import Path

# Column headings in order, each one the importer maps (app/roster/headers.py ALIASES).
HEADINGS = (
    "学籍号",
    "姓名",
    "性别",
    "年级",
    "班级",
    "出生日期",
    "学籍状态",
    "是否住校",
    "是否留守儿童",
    "是否单亲",
    "监护人姓名",
    "与学生关系",
    "联系电话",
)

NOTES = (
    ("学籍号", "必填。G + 18 位身份证号，或临时学籍号（L/J 开头）。"),
    ("姓名", "必填。"),
    ("性别", "男 或 女。"),
    ("年级", "必填。如 七年级、初一、高一，或数字 7。"),
    ("班级", "必填。如 3、3班、（3）班；每个年级最多 99 个班。"),
    ("出生日期", "如 2012-09-01；留空时由学籍号中的身份证号推出。"),
    ("学籍状态", "在读、转出、毕业 或 休学；留空为在读。"),
    ("是否住校 / 是否留守儿童 / 是否单亲", "是 或 否；可留空。"),
    ("监护人姓名 / 与学生关系 / 联系电话", "主要监护人，可留空。"),
    ("提示", "第一张表是名册，请从第 2 行起每行填写一名学生；导入时按学籍号新增或更新。"),
)


def write_template(path: Path) -> Path:
    """An empty roster (.xlsx) with its headings, and a sheet of notes."""
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "名册"
    sheet.append(list(HEADINGS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, heading in zip("ABCDEFGHIJKLM", HEADINGS, strict=True):
        sheet.column_dimensions[column].width = max(10, 2 * len(heading) + 4)
    sheet.column_dimensions["A"].width = 24
    sheet.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    notes.append(["栏目", "填写方法"])
    for row in NOTES:
        notes.append(list(row))
    notes.column_dimensions["A"].width = 34
    notes.column_dimensions["B"].width = 80
    path = Path(path)
    wb.save(path)
    return path
