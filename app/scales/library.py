"""The scale library: the definitions shipped in resources/scales, plus authorised ones imported
on this computer (e.g. a licensed file with item texts), which replace a shipped one by id."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from app.errors import AppError
from app.i18n import _
from app.scales.definition import ScaleDefinition, load_definition


class UnknownScale(AppError):
    def __init__(self, scale_id: str) -> None:
        self.scale_id = scale_id
        super().__init__(_("Unknown scale {id}.").format(id=scale_id))


def imported_dir() -> Path:
    from app.paths import data_dir

    return data_dir() / "scales"


def _load_folder(folder: Path, out: dict[str, ScaleDefinition]) -> None:
    for path in sorted(folder.glob("*.json")):
        if path.name != "schema.json":
            d = load_definition(path)
            out[d.id] = d


@cache
def all_scales() -> dict[str, ScaleDefinition]:
    from app.paths import resources_dir

    out: dict[str, ScaleDefinition] = {}
    _load_folder(resources_dir() / "scales", out)
    if imported_dir().is_dir():
        _load_folder(imported_dir(), out)
    return dict(sorted(out.items()))


def get_scale(scale_id: str) -> ScaleDefinition:
    scales = all_scales()
    key = scale_id.upper()
    if key not in scales:
        raise UnknownScale(scale_id)
    return scales[key]


def import_definition(path: Path) -> ScaleDefinition:
    """Check an authorised definition file and install it; a broken file changes nothing."""
    d = load_definition(Path(path))
    folder = imported_dir()
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, folder / f"{d.id.lower()}.json")
    all_scales.cache_clear()
    return d
