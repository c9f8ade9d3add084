"""Issue 5 figure: evaluate the warning rules for a 5,000-student school after a semester's assessment."""

from __future__ import annotations

import random
import time

from bench.foundation import figure, school_vault


def run(tmp) -> list[dict]:
    from app.services import warnings
    from app.services.assessments import store_result
    from app.services.students import search_students

    vault = school_vault(tmp, "warnings", 5000)
    rng = random.Random(5)
    ids = [r.id for r in search_students(vault)]
    t = time.perf_counter()
    with vault.session() as s:
        for sid in ids:
            phq = [rng.choice((0, 0, 0, 1, 1, 2, 3)) for _ in range(8)] + [
                1 if rng.random() < 0.02 else 0
            ]
            store_result(s, sid, "PHQ-9", phq, mode="import", user_id=vault.user.id)
            store_result(
                s,
                sid,
                "GAD-7",
                [rng.choice((0, 0, 1, 1, 2, 3)) for _ in range(7)],
                mode="import",
                user_id=vault.user.id,
            )
    stored = time.perf_counter() - t
    t = time.perf_counter()
    report = warnings.evaluate_all(vault)
    elapsed = time.perf_counter() - t
    vault.lock()
    return [
        figure("store 10,000 imported results (PHQ-9 + GAD-7)", stored, "s"),
        figure(f"evaluate rules, 5,000 students ({report.raised} raised)", elapsed, "s", 3.0),
    ]
