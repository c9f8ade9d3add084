"""Issue 6 figure: a 20-page case file with 3 charts."""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

from bench.foundation import figure, school_vault


def run(tmp) -> list[dict]:
    from app.services import assessments, printing, records
    from app.services import students as students_service

    vault = school_vault(tmp, "reports", 50, grades=(7,), admin_name="王老师")
    st = students_service.search_students(vault, limit=1)[0]
    rng = random.Random(6)
    for i in range(8):
        when = dt.datetime(2023, 3, 1) + dt.timedelta(days=120 * i)
        assessments.record_result(
            vault,
            st.id,
            "PHQ-9",
            [rng.randrange(4) for _ in range(9)],
            mode="paper",
            administered_at=when,
        )
        assessments.record_result(
            vault,
            st.id,
            "GAD-7",
            [rng.randrange(4) for _ in range(7)],
            mode="paper",
            administered_at=when,
        )
        assessments.record_result(
            vault,
            st.id,
            "K10",
            [rng.randrange(1, 6) for _ in range(10)],
            mode="paper",
            administered_at=when,
        )
    for i in range(60):
        records.create_record(
            vault,
            "session",
            student_id=st.id,
            occurred_at=dt.datetime(2023, 3, 1) + dt.timedelta(days=15 * i),
            body={
                "risk_suicide": "none",
                "risk_self_harm": "none",
                "risk_others": "none",
                "sections": {
                    "complaint": "学业压力与人际困扰，" * 8,
                    "process": "倾听、共情与认知调整。" * 6,
                    "plan": "下周继续。",
                },
            },
        )
    times, page_count = [], 0
    for _ in range(5):
        t = time.perf_counter()
        pdf, _serial = printing.case_file(vault, st.id)
        times.append(time.perf_counter() - t)
        page_count = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")
    # Slips for a whole class of 50: every student with an open warning.
    from app.services import warnings

    cls = students_service.grades_and_classes(vault)[0].classes[0]
    members = {
        m.id
        for m in students_service.search_students(
            vault, students_service.StudentFilter(class_id=cls.id)
        )
    }
    for sid in members:
        assessments.record_result(vault, sid, "PHQ-9", [1] * 8 + [1], mode="paper")
    ids = [w.id for w in warnings.queue(vault) if w.student_id in members]
    for wid in ids:  # slips are printed only for warnings confirmed after an interview
        warnings.review(vault, wid, confirmed=True, note="面谈确认")
    t = time.perf_counter()
    printing.slips(vault, ids, "head_teacher")
    slip_time = time.perf_counter() - t
    vault.lock()
    return [
        figure(
            f"case file, {page_count} pages, 3 charts (median of 5)",
            statistics.median(times),
            "s",
            2.0,
        ),
        figure(f"slips for a class of {len(ids)} (head teacher)", slip_time, "s", 5.0),
    ]
