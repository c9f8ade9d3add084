"""Issue 15 figures: what field-level encryption under the clinical key costs.

The same work runs twice on the same vault — once as shipped, once with the clinical cipher
replaced by a pass-through — so the ratio is the cost of the encryption alone.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import time

from bench.foundation import figure, school_vault


@contextlib.contextmanager
def _pass_through():
    from app.models import fieldcrypt

    saved = fieldcrypt._encrypt, fieldcrypt._decrypt
    fieldcrypt._encrypt = lambda _k, _t, plain: (
        fieldcrypt.PREFIX + base64.b64encode(plain).decode("ascii")
    )
    fieldcrypt._decrypt = lambda _k, _t, token: base64.b64decode(token[len(fieldcrypt.PREFIX) :])
    try:
        yield
    finally:
        fieldcrypt._encrypt, fieldcrypt._decrypt = saved


def _work(vault, student_id: str, n: int) -> tuple[float, float]:
    from app.services import records

    body = {
        "risk_suicide": "none",
        "risk_self_harm": "none",
        "risk_others": "none",
        "sections": {"complaint": "学习压力，睡眠不好。" * 40, "plan": "每周一次"},
        "interventions": "认知重评练习" * 30,
    }
    start = dt.datetime(2026, 9, 1, 9)
    t = time.perf_counter()
    for i in range(n):
        records.create_record(
            vault,
            "session",
            student_id=student_id,
            occurred_at=start + dt.timedelta(hours=i),
            body=body,
        )
    saved = time.perf_counter() - t
    t = time.perf_counter()
    for entry in records.timeline(vault, student_id):
        if entry.kind == "session":
            records.get_record(vault, entry.id)
    read = time.perf_counter() - t
    return saved * 1000 / n, read * 1000 / n


def run(tmp) -> list[dict]:
    from app.models.fieldcrypt import ClinicalBody
    from app.services import keys
    from app.services import students as students_service

    vault = school_vault(tmp, "clinical", 200)
    plain_vault = school_vault(tmp, "clinical-pass-through", 200)
    n = 150
    save_enc, read_enc = _work(vault, students_service.search_students(vault, limit=1)[0].id, n)
    with _pass_through():
        other = students_service.search_students(plain_vault, limit=1)[0].id
        save_plain, read_plain = _work(plain_vault, other, n)
    plain_vault.lock()
    body = ClinicalBody("record.body")
    value = {"sections": {"complaint": "学习压力" * 250}, "risk_suicide": "none"}
    key = bytes(32)
    t = time.perf_counter()
    for _ in range(2000):
        body.open_value(body.seal_value(value, key), key)
    per_value = (time.perf_counter() - t) * 1e6 / 2000
    t = time.perf_counter()
    keys.rotate_data_key(vault)
    rotation = time.perf_counter() - t
    vault.lock()
    return [
        figure("clinical: seal+open one 2 KB body (µs)", per_value, "µs"),
        figure("clinical: save a session, encrypted (ms)", save_enc, "ms"),
        figure("clinical: save a session, pass-through (ms)", save_plain, "ms"),
        figure("clinical: save ratio encrypted/pass-through", save_enc / save_plain, "×"),
        figure("clinical: open a session, encrypted (ms)", read_enc, "ms"),
        figure("clinical: open a session, pass-through (ms)", read_plain, "ms"),
        figure("clinical: open ratio encrypted/pass-through", read_enc / read_plain, "×"),
        figure("clinical: rotate keys, 200 students + 150 sessions (s)", rotation, "s"),
    ]
