"""Issue 4 figures: opening a long archive, and saving a session."""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

from bench.foundation import figure, school_vault


def run(tmp) -> list[dict]:
    from PySide6.QtWidgets import QApplication

    from app.services import assessments, records
    from app.services import students as students_service
    from app.ui.archive_page import ArchivePage

    app = QApplication.instance() or QApplication([])
    vault = school_vault(tmp, "records", 200)
    student = students_service.search_students(vault, limit=1)[0]
    rng = random.Random(4)
    start = dt.datetime(2016, 9, 1, 9, 0)
    kinds = ["session"] * 5 + ["contact", "observation", "referral", "appointment"]
    for i in range(270):
        when = start + dt.timedelta(days=i * 13, hours=rng.randrange(8))
        kind = rng.choice(kinds)
        body = {
            "session": {
                "risk_suicide": "none",
                "risk_self_harm": "none",
                "risk_others": "none",
                "sections": {"complaint": "学习压力" * 20, "plan": "继续"},
            },
            "contact": {"guardian": "母亲", "mode": "phone", "content": "沟通" * 30},
            "observation": {"source_role": "committee", "content": "情绪变化" * 10},
            "referral": {"institution": "市精神卫生中心", "reason": "评估"},
            "appointment": {"purpose": "复谈", "done": True},
        }[kind]
        records.create_record(vault, kind, student_id=student.id, occurred_at=when, body=body)
    for i in range(30):
        assessments.record_result(
            vault,
            student.id,
            "PHQ-9",
            [rng.randrange(4) for _ in range(9)],
            mode="paper",
            administered_at=start + dt.timedelta(days=i * 120),
        )
    opens = []
    for _ in range(7):
        t = time.perf_counter()
        page = ArchivePage(vault, student.id)
        page.show()
        page.tabs.setCurrentWidget(page.timeline)  # 记录: read in the lane when first shown
        while page.timeline.table.rowCount() == 0:
            app.processEvents()
        opens.append((time.perf_counter() - t) * 1000)
        page.close()
        page.deleteLater()
        app.processEvents()
    saves = []
    for i in range(50):
        t = time.perf_counter()
        records.create_record(
            vault,
            "session",
            student_id=student.id,
            occurred_at=dt.datetime(2026, 11, 1, 9) + dt.timedelta(hours=i),
            body={
                "risk_suicide": "none",
                "risk_self_harm": "none",
                "risk_others": "none",
                "sections": {"plan": "x"},
            },
        )
        saves.append((time.perf_counter() - t) * 1000)
    vault.lock()
    return [
        figure(
            "open archive with 300 records at its 记录 tab (median of 7)",
            statistics.median(opens),
            "ms",
            200.0,
        ),
        figure("save a session (median of 50)", statistics.median(saves), "ms", 50.0),
    ]
