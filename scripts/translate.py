"""Fill zh_CN msgstrs from a JSON object {msgid: msgstr} given on stdin (used after `make i18n`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "app/resources/locale/zh_CN/LC_MESSAGES/xindang.po"


def main() -> int:
    table = json.load(sys.stdin)
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    for message in catalog:
        if message.id in table:
            message.string = table[message.id]
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=100)
    missing = [m.id for m in catalog if m.id and not m.string]
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
