"""The scale library: every definition shipped in resources/scales, loaded once."""

from __future__ import annotations

from functools import cache

from app.errors import AppError
from app.i18n import _
from app.scales.definition import ScaleDefinition, load_definition


class UnknownScale(AppError):
    def __init__(self, scale_id: str) -> None:
        self.scale_id = scale_id
        super().__init__(_("Unknown scale {id}.").format(id=scale_id))


@cache
def all_scales() -> dict[str, ScaleDefinition]:
    from app.paths import resources_dir

    out: dict[str, ScaleDefinition] = {}
    for path in sorted((resources_dir() / "scales").glob("*.json")):
        if path.name == "schema.json":
            continue
        d = load_definition(path)
        out[d.id] = d
    return out


def get_scale(scale_id: str) -> ScaleDefinition:
    scales = all_scales()
    key = scale_id.upper()
    if key not in scales:
        raise UnknownScale(scale_id)
    return scales[key]
