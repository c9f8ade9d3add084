"""The shipped scale library: the definitions in resources/scales, the same on every computer.

Definitions the city publishes and licensed ones a school imports live in the vault
(`app/db/scalestore.py`), which lays them over these by id; a use case asks the store, never
this module, so the scales a result was scored with travel with the archive."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from app.errors import AppError
from app.i18n import _
from app.scales.definition import ScaleDefinition, load_definition


class UnknownScale(AppError):
    def __init__(self, scale_id: str) -> None:
        self.scale_id = scale_id
        super().__init__(_("Unknown scale {id}.").format(id=scale_id))


def legacy_dir() -> Path:
    """Where release 0.1 kept city and licensed definitions, per computer: read once, at unlock,
    to move them into the vault (`scalestore.adopt_folder`)."""
    from app.paths import data_dir

    return data_dir() / "scales"


def load_folder(folder: Path) -> dict[str, ScaleDefinition]:
    out: dict[str, ScaleDefinition] = {}
    for path in sorted(folder.glob("*.json")):
        if path.name != "schema.json":
            d = load_definition(path)
            out[d.id] = d
    return out


@cache
def shipped_scales() -> dict[str, ScaleDefinition]:
    from app.paths import resources_dir

    return dict(sorted(load_folder(resources_dir() / "scales").items()))


def shipped_scale(scale_id: str) -> ScaleDefinition:
    """A shipped definition (the CLI's `score`, self-test and the scoring tests, which need no
    vault)."""
    scales = shipped_scales()
    key = scale_id.upper()
    if key not in scales:
        raise UnknownScale(scale_id)
    return scales[key]
