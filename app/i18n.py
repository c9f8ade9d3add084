"""gettext for the whole app, core and UI alike; zh_CN is the default language.

English msgids live in the code; catalogues are `app/resources/locale/<lang>/LC_MESSAGES/xindang.po`.
A compiled `.mo` is used when present, otherwise the `.po` is compiled in memory with Babel so a
fresh checkout speaks Chinese without a build step.
"""

from __future__ import annotations

import gettext
import io
from importlib import resources

DOMAIN = "xindang"
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = {"zh_CN": "简体中文", "en": "English"}

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def _load(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    folder = resources.files("app.resources").joinpath("locale", language, "LC_MESSAGES")
    mo = folder.joinpath(f"{DOMAIN}.mo")
    po = folder.joinpath(f"{DOMAIN}.po")
    if mo.is_file() and (not po.is_file() or _mo_is_fresh(mo, po)):
        return gettext.GNUTranslations(io.BytesIO(mo.read_bytes()))
    if po.is_file():
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        catalog = read_po(io.BytesIO(po.read_bytes()), locale=language)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        return gettext.GNUTranslations(buf)
    return gettext.NullTranslations()


def _mo_is_fresh(mo, po) -> bool:
    try:
        from pathlib import Path

        return Path(str(mo)).stat().st_mtime >= Path(str(po)).stat().st_mtime
    except OSError:
        return True


def set_language(language: str) -> None:
    """Switch the process language; later `_()` calls use it."""
    global _translations, _language
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    _translations = _load(language)
    _language = language


def current_language() -> str:
    return _language


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a string for extraction without translating it now."""
    return message


set_language(DEFAULT_LANGUAGE)
