"""A full disk or a read-only folder is told as such, in Chinese, and nothing is lost: tested on a
small tmpfs (mounting needs root, as in CI; elsewhere these tests say why they skip)."""

import os
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from app.models import Student
from app.services import backups, keys, roster_import, students, synthetic, vaults
from app.storage_errors import DiskFull, FolderReadOnly
from tests.conftest import PASSPHRASE


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk):
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def _vault_on(disk, populated_vault):
    root = populated_vault.root
    populated_vault.lock()
    shutil.copytree(root, disk / "vault")
    return disk / "vault"


def _students(root) -> int:
    v = vaults.unlock(root, PASSPHRASE, "admin")
    with v.session() as s:
        n = s.scalar(select(func.count()).select_from(Student))
    v.lock()
    return n


def test_unlocking_on_a_full_disk_says_so_and_changes_nothing(small_disk, populated_vault):
    root = _vault_on(small_disk, populated_vault)
    before = (root / "archive.db").read_bytes()
    filler = _fill(small_disk)
    with pytest.raises(DiskFull, match="磁盘空间不足（需要约 8 MB），数据未受影响"):
        vaults.unlock(root, PASSPHRASE, "admin")
    assert (root / "archive.db").read_bytes() == before
    filler.unlink()
    assert _students(root) == 120


def test_unlocking_a_read_only_folder_says_so_not_damage(small_disk, populated_vault):
    root = _vault_on(small_disk, populated_vault)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        with pytest.raises(FolderReadOnly, match="无法写入档案文件夹"):
            vaults.unlock(root, PASSPHRASE, "admin")
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert _students(root) == 120


def test_an_import_that_fills_the_disk_stops_with_the_reason_and_loses_nothing(
    small_disk, populated_vault, tmp_path
):
    root = _vault_on(small_disk, populated_vault)
    vault = vaults.unlock(root, PASSPHRASE, "admin")
    big = synthetic.write_roster_csv(
        tmp_path / "big.csv", synthetic.generate_students(3000, seed=8)
    )
    filler = _fill(small_disk)
    os.truncate(filler, filler.stat().st_size - 256 * 1024)  # room for a little, not for 3,000
    with pytest.raises(DiskFull):
        roster_import.import_roster(vault, big)
    vault.lock()
    filler.unlink()
    assert _students(root) == 120  # the import applied nothing, the rest is intact


def test_a_backup_to_a_full_drive_says_so(small_disk, populated_vault):
    _fill(small_disk)
    with pytest.raises(DiskFull):
        backups.backup(populated_vault, small_disk / "usb")


def test_a_rotation_on_a_full_disk_says_so_and_the_vault_still_opens(small_disk, populated_vault):
    root = _vault_on(small_disk, populated_vault)
    vault = vaults.unlock(root, PASSPHRASE, "admin")
    filler = _fill(small_disk)
    with pytest.raises(DiskFull):
        keys.rotate_data_key(vault)
    vault.lock()
    filler.unlink()
    assert _students(root) == 120


def test_no_shared_memory_file_is_mapped_while_a_vault_is_open(populated_vault):
    assert not (populated_vault.root / "archive.db-shm").exists()
    with populated_vault.session() as s:
        assert s.scalar(select(func.count()).select_from(Student)) == 120
    assert not (populated_vault.root / "archive.db-shm").exists()


def test_the_disk_filling_up_mid_session_is_said_plainly_without_a_crash(
    small_disk, populated_vault
):
    """Run in a child process: a SIGBUS on a mapped -shm would kill it instead of failing."""
    root = _vault_on(small_disk, populated_vault)
    script = f"""
import os
from tests.conftest import PASSPHRASE
from app.services import students, vaults
from app.storage_errors import DiskFull
v = vaults.unlock({str(root)!r}, PASSPHRASE, "admin")
kid = students.search_students(v, limit=1)[0]
fd = os.open({str(small_disk / "filler")!r}, os.O_WRONLY | os.O_CREAT)
try:
    while True:
        os.write(fd, b"\\0" * 4096)
except OSError:
    os.close(fd)
try:
    for n in range(200):
        students.update_student_flags(v, kid.id, family_flags=["divorced"] * (n % 3 + 1))
except DiskFull as exc:
    print("REFUSED", exc)
print("READ", len(students.search_students(v, limit=5)))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "REFUSED 磁盘空间不足" in done.stdout and "READ 5" in done.stdout, done.stdout
    (small_disk / "filler").unlink()
    assert _students(root) == 120


@pytest.fixture
def ext4_disk(tmp_path):
    """A small ext4 file system on a loop device: tmpfs has no immutable attribute."""
    image, mount = tmp_path / "disk.img", tmp_path / "ext4"
    mount.mkdir()
    with open(image, "wb") as fh:
        fh.truncate(64 * 1024 * 1024)
    made = subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], capture_output=True)
    done = made.returncode == 0 and (
        subprocess.run(["mount", "-o", "loop", str(image), str(mount)], capture_output=True)
    )
    if not done or done.returncode != 0:
        pytest.skip("cannot mount an ext4 loop device here (needs root and e2fsprogs)")
    yield mount
    subprocess.run(["chattr", "-R", "-i", str(mount)], capture_output=True)
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _immutable(folder, on: bool = True) -> None:
    subprocess.run(["chattr", "+i" if on else "-i", str(folder)], check=True)


def test_opening_a_folder_made_immutable_says_it_cannot_be_written(ext4_disk, populated_vault):
    root = _vault_on(ext4_disk, populated_vault)
    _immutable(root)
    try:
        with pytest.raises(FolderReadOnly, match="无法写入档案文件夹"):
            vaults.unlock(root, PASSPHRASE, "admin")
    finally:
        _immutable(root, False)
    assert _students(root) == 120


def test_work_goes_on_when_the_folder_turns_immutable_under_an_open_vault(
    ext4_disk, populated_vault, tmp_path
):
    """The files already open can still be written: saving and importing lose nothing."""
    root = _vault_on(ext4_disk, populated_vault)
    vault = vaults.unlock(root, PASSPHRASE, "admin")
    _immutable(root)
    try:
        roster_import.import_roster(
            vault,
            synthetic.write_roster_csv(
                tmp_path / "more.csv", synthetic.generate_students(20, seed=9)
            ),
        )
        vault.lock()
    finally:
        _immutable(root, False)
    assert _students(root) == 140


def test_a_rotation_in_a_folder_made_immutable_says_so_and_the_vault_still_opens(
    ext4_disk, populated_vault
):
    root = _vault_on(ext4_disk, populated_vault)
    vault = vaults.unlock(root, PASSPHRASE, "admin")
    _immutable(root)
    try:
        with pytest.raises(FolderReadOnly, match="无法写入档案文件夹"):
            keys.rotate_data_key(vault)
        assert len(students.search_students(vault, limit=5)) == 5
        vault.lock()
    finally:
        _immutable(root, False)
    assert _students(root) == 120


def test_a_backup_into_an_immutable_folder_says_so(ext4_disk, populated_vault):
    usb = ext4_disk / "usb"
    usb.mkdir()
    _immutable(usb)
    try:
        with pytest.raises(FolderReadOnly, match="无法写入"):
            backups.backup(populated_vault, usb)
    finally:
        _immutable(usb, False)
    assert list(usb.iterdir()) == []
