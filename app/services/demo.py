"""The demo vault: a synthetic school a newcomer can explore with `make run`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from app.services import demo_activity, roster_import, synthetic, vaults
from app.vault.kdf import KdfParams

DEMO_PASSPHRASE = "xindang-demo"
DEMO_ADMIN = "admin"
DEMO_SCHOOL = "江门市示范中学（演示）"


def create_demo_vault(
    root: Path, *, students: int = 2400, kdf: KdfParams | None = None, activity: bool = True
) -> str:
    """Create the demo vault: a synthetic roster through the real import path, then (unless
    `activity` is false) a semester of work made through the use cases."""
    vault, code = vaults.create_vault(
        root,
        school_name=DEMO_SCHOOL,
        admin_login=DEMO_ADMIN,
        admin_name="演示管理员",
        passphrase=DEMO_PASSPHRASE,
        kdf=kdf,
    )
    try:
        roster = synthetic.generate_students(students)
        # The synthetic roster file is not confidential; it still goes in a private temp dir.
        with tempfile.TemporaryDirectory() as tmp:
            path = synthetic.write_roster_csv(Path(tmp) / "demo.csv", roster)
            roster_import.import_roster(vault, path)
        if activity:
            demo_activity.populate(vault)
    finally:
        vault.lock()
    return code
