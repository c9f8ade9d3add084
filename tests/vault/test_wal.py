"""The write-ahead log beside the archive: a foreign one is set aside untouched, a damaged one
is reported before SQLite could silently drop saved work, a torn tail is a normal crash."""

import shutil
import struct

import pytest

from app.db.wal import FRAME_HEADER, HEADER, wal_damage
from app.errors import VaultDamaged, WalSetAside
from app.services import students, vaults
from tests.conftest import PASSPHRASE


def _crash_copy(vault, dest):
    """The folder as a crash would leave it: the database, its WAL and the key file."""
    dest.mkdir()
    for name in ("archive.db", "archive.db-wal", "keys.json"):
        shutil.copyfile(vault.root / name, dest / name)
    return dest


def _renamed(vault, n):
    kids = students.search_students(vault, limit=n)
    for i, kid in enumerate(kids):  # one commit each
        students.update_student_flags(vault, kid.id, diagnosis_note=f"第{i}次保存")
    return kids


def _frames(wal: bytes):
    page_size = struct.unpack(">I", wal[8:12])[0]
    size = FRAME_HEADER + page_size
    count = (len(wal) - HEADER) // size
    return [
        (
            HEADER + i * size,
            size,
            struct.unpack(">I", wal[HEADER + i * size + 4 : HEADER + i * size + 8])[0],
        )
        for i in range(count)
    ]


def test_a_foreign_wal_is_moved_aside_untouched_and_the_archive_opens_as_last_saved(
    make_vault, populated_vault, tmp_path
):
    _renamed(populated_vault, 3)
    foreign = (populated_vault.root / "archive.db-wal").read_bytes()
    other, _code = make_vault("other")
    root = other.root
    other.lock()
    before = (root / "archive.db").read_bytes()
    (root / "archive.db-wal").write_bytes(foreign)
    with pytest.raises(WalSetAside) as refused:
        vaults.unlock(root, PASSPHRASE, "admin")
    assert (root / "archive.db").read_bytes() == before
    aside = root / refused.value.folder
    assert (aside / "archive.db-wal").read_bytes() == foreign
    assert "不属于这个档案" in str(refused.value)
    vaults.unlock(root, PASSPHRASE, "admin").lock()


def test_a_flipped_bit_in_a_frame_before_later_commits_is_reported_and_nothing_changes(
    populated_vault, tmp_path
):
    _renamed(populated_vault, 6)
    copy = _crash_copy(populated_vault, tmp_path / "crashed")
    wal = bytearray((copy / "archive.db-wal").read_bytes())
    commits = [f for f in _frames(bytes(wal)) if f[2] != 0]
    at, size, _commit = commits[len(commits) // 2 - 1]  # a frame with commits after it
    wal[at + FRAME_HEADER + 100] ^= 0x01
    (copy / "archive.db-wal").write_bytes(bytes(wal))
    db_before = (copy / "archive.db").read_bytes()
    assert wal_damage(copy / "archive.db-wal") is not None
    with pytest.raises(VaultDamaged, match="archive.db-wal"):
        vaults.unlock(copy, PASSPHRASE, "admin")
    assert (copy / "archive.db-wal").read_bytes() == bytes(wal)
    assert (copy / "archive.db").read_bytes() == db_before


def test_a_torn_last_frame_is_a_crash_mid_write_and_opens_with_every_earlier_commit(
    populated_vault, tmp_path
):
    kids = _renamed(populated_vault, 4)
    copy = _crash_copy(populated_vault, tmp_path / "crashed")
    wal = (copy / "archive.db-wal").read_bytes()
    at, size, _commit = _frames(wal)[-1]
    (copy / "archive.db-wal").write_bytes(wal[: at + size // 2])  # the last write torn
    assert wal_damage(copy / "archive.db-wal") is None
    opened = vaults.unlock(copy, PASSPHRASE, "admin")
    notes = [students.student_archive(opened, k.id).diagnosis_note for k in kids[:3]]
    assert notes == ["第0次保存", "第1次保存", "第2次保存"]
    opened.lock()
