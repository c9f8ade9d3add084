"""The Qt user interface: the only package that imports PySide6."""

from __future__ import annotations

from pathlib import Path


def run(vault: Path | None = None) -> int:
    from app.ui.application import run_app

    return run_app(vault)
