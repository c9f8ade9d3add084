"""How a scale's options read on paper."""

from __future__ import annotations

from app.scales.definition import ScaleDefinition, text_of


def option_legend(defn: ScaleDefinition) -> list[str]:
    """'0=完全不会' … for the default option set (item-specific sets are noted on the form)."""
    options = defn.options_for(1)
    return [f"{o.value}={text_of(o.label)}" for o in options]
