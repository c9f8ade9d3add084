"""Named points where the crash tests end the process: `XINDANG_CRASH_AT=<name>` exits there at
once with no cleanup, as a power cut would. Unset (always, outside tests) it costs one lookup."""

from __future__ import annotations

import os

EXIT_CODE = 86


def crash_point(name: str) -> None:
    if os.environ.get("XINDANG_CRASH_AT") == name:
        os._exit(EXIT_CODE)
