"""Passphrase strength: a hint while typing, and a floor no one may go below.

The estimate is zxcvbn's (guesses an attacker needs, knowing common passwords, keyboard walks,
dates and repeats), run on the passphrase with Chinese characters written as pinyin and with
pinyin syllables and common Chinese password words in its dictionary: 我爱你1314 is woaini1314
to an attacker, and zhangwei1985 is a surname, a given name and a year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from app.errors import ValidationError
from app.i18n import N_, _

MIN_LENGTH = 8
# The floor: an attacker needs about 10^10 guesses (docs/SECURITY.md: what that costs offline).
FLOOR_LOG10 = 10.0
LEVELS = (N_("Too weak"), N_("Weak"), N_("Fair"), N_("Strong"), N_("Very strong"))
_MAX_CHECKED = 64  # zxcvbn slows down on very long input; the first 64 characters decide
_KINDS = {
    "dictionary": N_("common words or names"),
    "date": N_("dates or years"),
    "regex": N_("dates or years"),
    "sequence": N_("keyboard or number runs"),
    "spatial": N_("keyboard or number runs"),
    "repeat": N_("repeats"),
}


@dataclass(frozen=True)
class Assessment:
    guesses_log10: float
    reasons: tuple[str, ...]  # in Chinese, for the person choosing it


@lru_cache(maxsize=1)
def _dictionary() -> tuple[str, ...]:
    """Common Chinese password words first, then every pinyin syllable (a pinyin word is a
    sequence of about 400 syllables, not of 26 letters)."""
    import unicodedata

    from pypinyin.pinyin_dict import pinyin_dict

    from app.paths import resources_dir

    lines = (resources_dir() / "passwords" / "common-zh.txt").read_text("utf-8").splitlines()
    words = [w.strip() for w in lines if w.strip() and not w.startswith("#")]
    syllables = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = unicodedata.normalize("NFD", reading)
            syllables.add("".join(c for c in plain if not unicodedata.combining(c)))
    return tuple(dict.fromkeys([*words, *sorted(syllables)]))


def _as_attacker_sees_it(passphrase: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(passphrase[:_MAX_CHECKED]))


def assess(passphrase: str, context: Iterable[str] = ()) -> Assessment:
    """How many guesses (log10) and why it is weak; `context` are words an attacker would try
    first (the user name, the person's name, the school)."""
    from zxcvbn import zxcvbn

    if not passphrase:
        return Assessment(0.0, ())
    extra = [_as_attacker_sees_it(w).lower() for w in context if w]
    result = zxcvbn(_as_attacker_sees_it(passphrase), user_inputs=[*extra, *_dictionary()])
    found: dict[str, list[str]] = {}
    for match in result["sequence"]:
        kind = _KINDS.get(match["pattern"])
        if kind is not None:
            found.setdefault(kind, []).append(match["token"])
    reasons = tuple(
        f"{_(kind)}（{'、'.join(dict.fromkeys(tokens))}）" for kind, tokens in found.items()
    )
    return Assessment(float(result["guesses_log10"]), reasons)


def strength(passphrase: str) -> int:
    """0 (too weak) … 4 (very strong); anything below the floor is at most 1."""
    if len(passphrase) < MIN_LENGTH:
        return 0
    log10 = assess(passphrase).guesses_log10
    for level, upper in enumerate((6.0, FLOOR_LOG10, 12.0, 14.0)):
        if log10 < upper:
            return level
    return 4


def strength_label(passphrase: str) -> str:
    return _(LEVELS[strength(passphrase)])


def problem(passphrase: str, context: Iterable[str] = ()) -> str | None:
    """Why this passphrase is refused, in Chinese; None when it is acceptable."""
    if len(passphrase) < MIN_LENGTH:
        return _("The passphrase must have at least {n} characters.").format(n=MIN_LENGTH)
    found = assess(passphrase, context)
    if found.guesses_log10 >= FLOOR_LOG10:
        return None
    because = "、".join(found.reasons) or _("too few different characters")
    return _(
        "This passphrase is too easy to guess (it contains {because}). Add a few more "
        "characters or words — a short Chinese phrase with a number works well."
    ).format(because=because)


def require_acceptable(passphrase: str, context: Iterable[str] = ()) -> None:
    message = problem(passphrase, context)
    if message is not None:
        raise ValidationError("passphrase", message)
