"""What may leave the process in a log line or a crash report: masked text and bare frames.

Any run of Chinese characters (names, notes), any ≥ 6-character token containing ≥ 5 digits
(学籍号, phone and ID numbers) and e-mail addresses are masked; a traceback keeps only
file:line:function and the redacted message. Used by app/logs.py and app/crash.py alike.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

_PATTERNS = (
    re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+"),
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    re.compile(r"\b(?=[A-Za-z0-9-]*\d(?:[A-Za-z-]*\d){4})[A-Za-z0-9-]{6,}\b"),
)
MASK = "‹…›"


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def redacted_traceback(exc_type, exc, tb) -> str:
    frames = [f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]
    return "\n".join(
        ["Traceback (frames only):", *frames, f"{exc_type.__name__}: {redact(str(exc))}"]
    )
