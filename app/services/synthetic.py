"""Synthetic school data for demos, tests and benchmarks. Never real people.

ID numbers use the fictional area code 449900 with a correct check digit, so they pass
validation but can never belong to anyone. Phone numbers are in the 170-0000 test range.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from app.roster.fields import GRADE_NAMES
from app.roster.studentno import id_check_digit

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷黎史龙陶贺顾毛郝龚邵万覃武钱戴严欧莫孔向常汤"
GIVEN = (
    "子梓浩宇轩涵欣怡然博文佳琪雨萱晨思明俊杰嘉豪诗婷梦瑶一诺铭泽天佑雅静昊志强丽娜伟芳敏静磊洋艳勇军杰娟涛超"
    "秀兰霞平刚桂英慧颖鑫鹏辉华建国家乐宏晓东红燕凯瑞雪琳晴悦彤妍馨蕊睿哲锦程皓瀚宸逸飞若曦可馨安琪紫萱雨桐"
)
RELATIONS = ("父亲", "母亲", "祖父", "祖母", "外祖父", "外祖母")
HEADERS = (
    "学籍号",
    "姓名",
    "性别",
    "出生日期",
    "年级",
    "班级",
    "是否住校",
    "是否留守儿童",
    "监护人姓名",
    "与学生关系",
    "联系电话",
)


@dataclass(frozen=True)
class SyntheticStudent:
    student_no: str
    name: str
    gender: str
    birth_date: dt.date
    grade: int
    class_no: int
    boarding: bool
    left_behind: bool
    guardian_name: str
    guardian_relation: str
    guardian_phone: str

    def cells(self) -> list[str]:
        return [
            self.student_no,
            self.name,
            "男" if self.gender == "M" else "女",
            self.birth_date.isoformat(),
            GRADE_NAMES[self.grade],
            f"{self.class_no}班",
            "是" if self.boarding else "否",
            "是" if self.left_behind else "否",
            self.guardian_name,
            self.guardian_relation,
            self.guardian_phone,
        ]


def _name(rng: random.Random, surname: str | None = None) -> str:
    surname = surname or rng.choice(SURNAMES)
    length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(GIVEN) for _ in range(length))


def synthetic_student_no(rng: random.Random, born: dt.date, gender: str, seq: int) -> str:
    serial = (seq % 500) * 2 + (1 if gender == "M" else 0)
    body = f"449900{born:%Y%m%d}{serial % 1000:03d}"
    return "G" + body + id_check_digit(body)


def generate_students(
    count: int = 2400,
    *,
    seed: int = 20261128,
    grades: tuple[int, ...] = (7, 8, 9, 10, 11, 12),
    school_year_start: int = 2026,
) -> list[SyntheticStudent]:
    rng = random.Random(seed)
    per_class = 50
    out: list[SyntheticStudent] = []
    used: set[str] = set()
    for gi, grade in enumerate(grades):
        n = count // len(grades) + (1 if gi < count % len(grades) else 0)
        birth_year = school_year_start - grade - 6
        for k in range(n):
            gender = "M" if rng.random() < 0.51 else "F"
            born = (
                dt.date(birth_year, 1, 1)
                + dt.timedelta(days=rng.randrange(365))
                - dt.timedelta(days=243)
            )
            seq = len(out)
            sno = synthetic_student_no(rng, born, gender, seq)
            while sno in used:
                seq += 7919
                sno = synthetic_student_no(rng, born, gender, seq)
            used.add(sno)
            name = _name(rng)
            relation = rng.choice(RELATIONS)
            guardian_surname = (
                name[0] if relation in ("父亲", "祖父", "祖母") else rng.choice(SURNAMES)
            )
            out.append(
                SyntheticStudent(
                    student_no=sno,
                    name=name,
                    gender=gender,
                    birth_date=born,
                    grade=grade,
                    class_no=k // per_class + 1,
                    boarding=rng.random() < 0.3,
                    left_behind=rng.random() < 0.12,
                    guardian_name=_name(rng, guardian_surname),
                    guardian_relation=relation,
                    guardian_phone=f"170{rng.randrange(10**8):08d}",
                )
            )
    return out


def write_roster_xlsx(
    path: Path,
    students: list[SyntheticStudent],
    *,
    title: str | None = None,
    extra_rows: list[list] | None = None,
) -> Path:
    """An .xlsx like a school exports: an optional merged title row above the header."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "学生名单"
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws.append(list(HEADERS))
    for st in students:
        row = st.cells()
        row[3] = st.birth_date  # a real date cell, as Excel stores it
        ws.append(row)
    for row in extra_rows or []:
        ws.append(row)
    wb.save(path)
    return Path(path)


def write_roster_csv(
    path: Path,
    students: list[SyntheticStudent],
    *,
    encoding: str = "utf-8",
    title: str | None = None,
    extra_rows: list[list] | None = None,
) -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        if title:
            w.writerow([title])
        w.writerow(HEADERS)
        for st in students:
            w.writerow(st.cells())
        for row in extra_rows or []:
            w.writerow(row)
    return Path(path)
