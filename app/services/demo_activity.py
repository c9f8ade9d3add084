"""A semester of synthetic activity for the demo school, made through the real use cases.

A newcomer's first `make run` should show a school in motion, and the button census and the
screenshots need something behind every button: warnings at each level in each status, cases
with sessions, groups, lessons, referrals at each stage, a crisis, appointments this week.
Everything goes through `app/services`, so the demo also exercises the rules and the audit log.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from app.scales.library import shipped_scale
from app.services import (
    assessments,
    crisis,
    network,
    plans,
    records,
    students,
    warnings,
)
from app.services.records import Participant
from app.services.students import StudentFilter
from app.services.vaults import OpenVault

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


@dataclass(frozen=True)
class DemoActivity:
    """How much was made (the census and the screenshots check there is something to see)."""

    results: int
    warnings: int
    records: int


def _person(rng: random.Random, title: str) -> str:
    return f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}{title}"


def _answers(rng: random.Random, scale_id: str, severity: float) -> list[int]:
    scale = shipped_scale(scale_id)
    out = []
    for lo, hi in scale.bounds:
        out.append(min(hi, max(lo, round(lo + severity * (hi - lo) + rng.uniform(-0.6, 0.6)))))
    if scale_id == "PHQ-9" and severity < 0.7:
        out[8] = 0  # only the few most distressed sheets answer the critical item
    return out


def populate(vault: OpenVault, *, seed: int = 2026, today: dt.date | None = None) -> DemoActivity:
    """Fill an open vault holding a roster with a semester of work (about a minute for 2,400)."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    term_start = today - dt.timedelta(days=70)
    now = dt.datetime.combine(today, dt.time(9, 0))
    grades = students.grades_and_classes(vault)
    made_results = made_records = 0

    network.set_contact(vault, "principal", _person(rng, "校长"), "17000000001")
    network.set_contact(vault, "counselor", vault.user.display_name, "17000000002")
    by_class: dict[str, list] = {}
    for g in grades:
        for c in g.classes:
            network.set_contact(
                vault,
                "head_teacher",
                _person(rng, "老师"),
                f"170{rng.randrange(10**8):08d}",
                class_id=c.id,
            )
            by_class[c.id] = students.search_students(vault, StudentFilter(class_id=c.id))

    # One screening plan per grade; each class answered in one of the three modes.
    for g in grades:
        plan = plans.create_plan(
            vault,
            name=f"{g.name}秋季心理普查",
            scale_ids=["PHQ-9", "GAD-7"],
            class_ids=[c.id for c in g.classes],
            starts_on=term_start + dt.timedelta(days=14),
            ends_on=term_start + dt.timedelta(days=35),
        )
        for ci, c in enumerate(g.classes):
            mode = ("kiosk", "paper", "import")[ci % 3]
            with vault.session() as s:  # a class's sheets in one transaction, as an import is
                for kid in by_class[c.id][:12]:
                    severity = rng.choices((0.0, 0.08, 0.2, 0.4, 0.7), (50, 30, 12, 5, 3))[0]
                    fast = mode == "kiosk" and rng.random() < 0.1
                    for sid in ("PHQ-9", "GAD-7"):
                        answers = _answers(rng, sid, severity)
                        seconds = [0.5 if fast else rng.uniform(2, 6) for _a in answers]
                        assessments.store_result(
                            s,
                            kid.id,
                            sid,
                            answers,
                            mode=mode,
                            user_id=vault.user.id,
                            seconds=seconds if mode == "kiosk" else None,
                            plan_id=plan.id,
                            administered_at=now - dt.timedelta(days=rng.randrange(35, 56)),
                        )
                        made_results += 1

    # Not the screened students: each story below has its own student.
    pool = [k for rows in by_class.values() for k in rows[12:]]
    rng.shuffle(pool)
    take = iter(pool)

    # Warnings the counselor raised by hand, taken through each status.
    levels = ("red", "orange", "yellow", "watch")
    for i, level in enumerate(levels * 2):
        kid = next(take)
        wid = warnings.raise_manual(
            vault, kid.id, level, "班主任反映近两周情绪低落、独处增多", "课间观察"
        )
        if i % 4 == 1:
            warnings.review(vault, wid, confirmed=True, note="面谈确认，已与家长沟通")
            due = today - dt.timedelta(days=3) if i < 4 else today + dt.timedelta(days=5)
            warnings.add_task(vault, wid, "每周复谈一次", due)
            network.notify(vault, wid, "head_teacher", _person(rng, "老师"), "meeting")
            network.notify(vault, wid, "guardian", _person(rng, "家长"), "phone")
        elif i % 4 == 2:
            warnings.review(vault, wid, confirmed=False, note="误报：与同学玩笑，面谈后无风险")
        elif i % 4 == 3:
            warnings.review(vault, wid, confirmed=True, note="面谈确认")
            warnings.resolve(vault, wid, "连续四周情绪稳定，转入常规关注")

    # Cases: intake, sessions with a risk screen, a private note, a next appointment this week.
    for n in range(6):
        kid = next(take)
        opened = now - dt.timedelta(days=40 - n)
        case = records.create_record(
            vault,
            "case",
            student_id=kid.id,
            occurred_at=opened,
            title="学业压力与人际困扰",
            body={
                "problems": ["academic", "relationships"],
                "source": "self",
                "consent": "student",
            },
        )
        made_records += 1
        for k in range(3):
            last = k == 2
            records.create_record(
                vault,
                "session",
                student_id=kid.id,
                parent_id=case.id,
                occurred_at=opened + dt.timedelta(days=7 * k),
                body={
                    "risk_suicide": "medium" if n == 0 and last else "none",
                    "risk_self_harm": "low" if n == 1 else "none",
                    "risk_others": "none",
                    "interventions": "倾听、情绪命名、放松训练",
                    "next_appointment": (now + dt.timedelta(days=1 + n % 4, hours=5))
                    if last
                    else None,
                    "sections": {"complaint": "考试前紧张、失眠", "plan": "每周一次，共六次"},
                },
            )
            made_records += 1
        records.create_record(
            vault,
            "private_note",
            student_id=kid.id,
            parent_id=case.id,
            occurred_at=opened + dt.timedelta(days=1),
            body={"text": "来访者对父母期望的矛盾情绪明显，下次探讨。"},
        )
        made_records += 1

    # A group program with attendance, and lessons / class meetings in several classes.
    group_kids = [next(take) for _k in range(8)]
    program = records.create_record(
        vault,
        "group_program",
        occurred_at=now - dt.timedelta(days=30),
        title="考前减压团体",
        body={"theme": "考前减压", "target_group": "初三学生", "planned_sessions": 6},
    )
    for k in range(3):
        records.create_record(
            vault,
            "group_session",
            parent_id=program.id,
            occurred_at=now - dt.timedelta(days=28 - 7 * k),
            body={"topic": f"第{k + 1}次：认识压力", "summary": "气氛良好"},
            participants=[Participant(s.id, rng.random() > 0.15, None) for s in group_kids],
        )
    made_records += 4
    for ci, class_id in enumerate(list(by_class)[:6]):
        records.create_record(
            vault,
            "lesson",
            class_id=class_id,
            occurred_at=now - dt.timedelta(days=5 + ci),
            body={
                "lesson_type": "class_meeting" if ci % 2 else "lesson",
                "topic": "情绪的自我调节" if ci % 2 == 0 else "班会：学会求助",
                "teacher": _person(rng, "老师"),
            },
        )
        made_records += 1

    # Home–school contacts, referrals at each stage, observations, life events.
    for kind, body in (
        ("contact", {"guardian": "学生母亲", "mode": "phone", "content": "沟通睡眠与作息"}),
        ("contact", {"guardian": "学生父亲", "mode": "meeting", "content": "约谈学习计划"}),
        ("observation", {"source_role": "head_teacher", "content": "上课常趴桌，作业未交"}),
        ("observation", {"source_role": "committee", "content": "同学反映其情绪低落"}),
        ("life_event", {"event_type": "family_change", "description": "父母离异"}),
        ("life_event", {"event_type": "bereavement", "description": "祖父去世"}),
    ):
        records.create_record(
            vault,
            kind,
            student_id=next(take).id,
            occurred_at=now - dt.timedelta(days=rng.randrange(1, 30)),
            body=body,
        )
        made_records += 1
    for status in ("suggested", "referred", "seen", "feedback", "return_assessed"):
        records.create_record(
            vault,
            "referral",
            student_id=next(take).id,
            occurred_at=now - dt.timedelta(days=20),
            body={
                "institution": "江门市第三人民医院",
                "reason": "持续情绪低落两月，睡眠差",
                "guardian_consent": status != "suggested",
                "status": status,
            },
        )
        made_records += 1

    # One crisis this week, with steps done so far and classmates linked for follow-up.
    kid = next(take)
    record = crisis.start_crisis(vault, kid.id, at=now - dt.timedelta(days=2), notes="课间自述")
    for step in ("ensure_safety", "inform_principal", "inform_guardians"):
        crisis.complete_step(vault, record.id, step, at=now - dt.timedelta(days=2))
    crisis.link_related(vault, record.id, [(next(take).id, "好友"), (next(take).id, "同桌")])
    made_records += 1

    # Appointments this week.
    for d in range(4):
        records.create_record(
            vault,
            "appointment",
            student_id=next(take).id,
            occurred_at=now + dt.timedelta(days=d, hours=d),
            body={"purpose": "初次面谈"},
        )
        made_records += 1

    return DemoActivity(made_results, len(warnings.listing(vault)), made_records)
