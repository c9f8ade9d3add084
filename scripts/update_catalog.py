"""Extract msgids from app/ and merge them into the zh_CN catalogue (`make i18n`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "app/resources/locale/zh_CN/LC_MESSAGES/xindang.po"
POT = ROOT / "build/xindang.pot"


def main() -> int:
    POT.parent.mkdir(exist_ok=True)
    babel = [sys.executable, "-m", "babel.messages.frontend"]
    subprocess.run(
        [
            *babel,
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "N_",
            "--no-location",
            "--sort-output",
            "-o",
            str(POT),
            str(ROOT / "app"),
        ],
        check=True,
    )
    if PO.exists():
        subprocess.run(
            [
                *babel,
                "update",
                "-i",
                str(POT),
                "-o",
                str(PO),
                "-l",
                "zh_CN",
                "--no-fuzzy-matching",
                "--ignore-obsolete",
            ],
            check=True,
        )
    else:
        PO.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([*babel, "init", "-i", str(POT), "-o", str(PO), "-l", "zh_CN"], check=True)
    from babel.messages.pofile import read_po

    with PO.open("rb") as fh:
        missing = [m.id for m in read_po(fh) if m.id and not m.string]
    for msgid in missing:
        print("untranslated:", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
