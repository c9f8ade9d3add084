"""Where XinDang keeps machine-local files; `XINDANG_HOME` overrides it for tests and demos."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from app import APP_NAME


def data_dir() -> Path:
    override = os.environ.get("XINDANG_HOME")
    if override:
        return Path(override) / "data"
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    override = os.environ.get("XINDANG_HOME")
    if override:
        return Path(override) / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    override = os.environ.get("XINDANG_HOME")
    if override:
        return Path(override) / "log"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def default_vault_dir() -> Path:
    return data_dir() / "vault"


def resources_dir() -> Path:
    """Scale definitions, fonts and icons: beside the code in a checkout, bundled when frozen."""
    import sys

    override = os.environ.get("XINDANG_RESOURCES")
    if override:
        return Path(override)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
