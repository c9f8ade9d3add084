"""Machine-local preferences (language, last vault), saved atomically as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

from app.atomic_write import atomic_write
from app.i18n import DEFAULT_LANGUAGE
from app.paths import config_dir

DEFAULT_AUTO_LOCK_MINUTES = 10


@dataclass
class Settings:
    language: str = DEFAULT_LANGUAGE
    last_vault: str | None = None
    last_login: str | None = None
    window_geometry: str | None = None  # Qt's saveGeometry(), base64


def _path():
    return config_dir() / "settings.json"


def load_settings() -> Settings:
    try:
        doc = json.loads(_path().read_text("utf-8"))
    except (OSError, ValueError):
        return Settings()
    known = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in doc.items() if k in known})


def save_settings(settings: Settings) -> None:
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(asdict(settings), ensure_ascii=False, indent=1).encode())
