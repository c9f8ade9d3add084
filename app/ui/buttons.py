"""Buttons whose clicks call a slot with no arguments.

Qt's `clicked(bool)` lands in a slot's first optional parameter: `print_(printer=None)` once got
`False` and printed nothing. Every button row is built here, and `tests/test_signal_slots.py`
refuses a signal connected straight to a callable with defaulted parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtWidgets import QBoxLayout, QPushButton


def push_button(label: str, name: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(label, objectName=name)
    button.clicked.connect(lambda _checked=False: slot())
    return button


def add_buttons(
    layout: QBoxLayout, specs: Iterable[tuple[str, str, Callable[[], object]]]
) -> dict[str, QPushButton]:
    """(object name, label, slot) per button, added in order; returned by name."""
    made = {}
    for name, label, slot in specs:
        made[name] = push_button(label, name, slot)
        layout.addWidget(made[name])
    return made
