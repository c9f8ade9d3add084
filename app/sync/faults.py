"""Crash points for the kill-at-every-step tests: `XINDANG_SYNC_CRASH_AT=<point>` ends the process
there with no cleanup, as a power cut would. Unset (always, outside tests) it costs one lookup."""

from __future__ import annotations

import os

POINTS = (
    "push.before_send",
    "push.after_send",
    "push.after_receipt",
    "pull.after_page",
    "pull.after_apply",
)


def crash_point(name: str) -> None:
    if os.environ.get("XINDANG_SYNC_CRASH_AT") == name:
        os._exit(86)
