"""Fill untranslated msgids of the zh_CN catalogue from a Python dict file (msgid → msgstr).

Usage: python scripts/fill_catalog.py TRANSLATIONS.py — after `make i18n` lists what is missing.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "app/resources/locale/zh_CN/LC_MESSAGES/xindang.po"


def main(source: str) -> int:
    table = runpy.run_path(source)["T"]
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    filled = 0
    for msg in catalog:
        if msg.id and not msg.string and msg.id in table:
            msg.string = table[msg.id]
            filled += 1
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, no_location=True, sort_output=True)
    print(f"filled {filled}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
