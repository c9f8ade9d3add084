"""Reading a write-ahead log the way SQLite will, before SQLite does.

SQLite applies WAL frames up to the first one whose checksum fails and silently ignores the
rest, and applies a whole WAL whose frames are sound whatever database it sits beside. Both lose
acknowledged work without a word, so a vault checks its WAL first: a damaged frame followed by
later commits of the same WAL, or a damaged header over frames, is reported and nothing opens.
Format: https://www.sqlite.org/fileformat2.html#walformat
"""

from __future__ import annotations

import struct
from pathlib import Path

HEADER = 32
FRAME_HEADER = 24
_MAGIC = {0x377F0682: "<", 0x377F0683: ">"}  # checksum words little- or big-endian


def _checksum(data: bytes, s0: int, s1: int, order: str) -> tuple[int, int]:
    words = struct.unpack(f"{order}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def wal_damage(path: Path) -> str | None:
    """None when SQLite would apply every committed frame of this WAL; otherwise what is wrong
    (in English, for the log: the caller words it for a person)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if len(data) < HEADER:
        return None  # an empty or never-written log: nothing to lose
    magic, _version, page_size, _seq, salt1, salt2, c1, c2 = struct.unpack(">8I", data[:HEADER])
    order = _MAGIC.get(magic)
    frame = FRAME_HEADER + page_size
    frames = (len(data) - HEADER) // frame if page_size else 0
    if order is None or page_size < 512 or page_size & (page_size - 1):
        return "bad header" if frames else None
    if _checksum(data[:24], 0, 0, order) != (c1, c2):
        return "header checksum" if frames else None
    s0, s1 = c1, c2
    for i in range(frames):
        at = HEADER + i * frame
        _page, _commit, f_salt1, f_salt2, f1, f2 = struct.unpack(">6I", data[at : at + 24])
        if (f_salt1, f_salt2) != (salt1, salt2):
            return None  # an older generation's leftovers: SQLite stops here, rightly
        s0, s1 = _checksum(data[at : at + 8] + data[at + 24 : at + frame], s0, s1, order)
        if (s0, s1) != (f1, f2):
            later_commits = any(
                struct.unpack(">6I", data[a : a + 24])[2:4] == (salt1, salt2)
                and struct.unpack(">6I", data[a : a + 24])[1] != 0
                for a in (HEADER + j * frame for j in range(i + 1, frames))
            )
            # A bad frame at the tail is a write torn by a crash: never acknowledged, rightly
            # dropped. Committed frames after it were acknowledged and would be lost.
            return f"frame {i + 1} checksum" if later_commits else None
    return None
