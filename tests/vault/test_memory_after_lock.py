"""After a lock, no key of the vault is left in the process's memory.

A child process unlocks, reads and writes clinical text and a private note, then locks; this
process — holding the keys, derived on its own from the passphrase — reads the child's memory
through /proc and looks for each key, raw and as the hex text SQLCipher's PRAGMA is given.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.db import audit
from app.vault import vaultdir
from app.vault.anchor import _key as anchor_key
from app.vault.kdf import derive_key
from tests.conftest import PASSPHRASE

CHILD = textwrap.dedent(
    """
    import datetime as dt, gc, sys
    from pathlib import Path
    from app.services import backups, keys, records, students, vaults
    v = vaults.unlock(sys.argv[1], sys.argv[2], "admin")
    kid = students.search_students(v, limit=1)[0]
    students.update_student_flags(v, kid.id, diagnosis_note="诊断说明（测试）")
    case = records.create_record(
        v, "case", student_id=kid.id, occurred_at=dt.datetime(2026, 11, 2, 9),
        body={"problems": ["emotions"]},
    )
    note = records.create_record(
        v, "private_note", student_id=kid.id, parent_id=case.id,
        occurred_at=dt.datetime(2026, 11, 3, 10), body={"text": "私密笔记（测试）"},
    )
    records.get_record(v, note.id)
    records.timeline(v, kid.id)
    backups.backup(v, Path(sys.argv[3]))
    vaults.add_user(v, login="cb", display_name="乙老师", role="counselor", passphrase=sys.argv[2])
    keys.rotate_data_key(v)
    students.student_archive(v, kid.id)
    students.student_archive(v, kid.id)
    v.lock()
    del v
    gc.collect()
    print("LOCKED", flush=True)
    sys.stdin.readline()
    """
)


def _keys_of(root: Path) -> dict[str, bytes]:
    unlocked = vaultdir.unlock_with_passphrase(root, PASSPHRASE, "admin", sleep=lambda _s: None)
    slots = vaultdir.read_slots(root)
    generation = unlocked.generations(slots)[0]
    slot = next(s for s in slots.user_slots() if s.login == "admin")
    return {
        "passphrase-derived key": derive_key(PASSPHRASE.encode(), slot.salt, slot.kdf),
        "vault key": unlocked.dek,
        "database key": generation.db_key,
        "clinical key": generation.clinical_key,
        "private key": unlocked.private,
        "audit key": audit.derive_audit_key(unlocked.dek),
        "anchor key": anchor_key(unlocked.dek),
    }


def _memory_of(pid: int):
    """Every readable mapping of `pid`, as (name, bytes)."""
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            parts = line.split()
            start, end = (int(x, 16) for x in parts[0].split("-"))
            if "r" not in parts[1] or (len(parts) > 5 and parts[5] == "[vvar]"):
                continue
            try:
                mem.seek(start)
                yield (parts[5] if len(parts) > 5 else "anon"), mem.read(end - start)
            except OSError:
                continue


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_no_key_is_left_in_memory_after_lock(populated_vault, tmp_path):
    root = populated_vault.root
    populated_vault.lock()
    keys = _keys_of(root)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), PASSPHRASE, str(tmp_path / "usb")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        line = child.stdout.readline()
        assert line.startswith("LOCKED"), child.stderr.read()[-3000:]
        rotated = _keys_of(root)
        assert rotated["database key"] != keys["database key"]
        keys |= {f"{name} after rotation": key for name, key in rotated.items()}
        found = []
        for where, chunk in _memory_of(child.pid):
            for name, key in keys.items():
                for form, pattern in (("raw", key), ("hex", key.hex().encode())):
                    if pattern in chunk:
                        found.append(f"{name} ({form}) in {where}")
    finally:
        child.communicate("\n", timeout=30)
    assert found == [], "\n".join(found)
