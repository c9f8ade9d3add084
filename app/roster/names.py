"""Pinyin keys for searching Chinese names by full pinyin or initials."""

from __future__ import annotations

import os


def pinyin_keys(name: str) -> tuple[str, str]:
    """('zhangsan', 'zs') for 张三; letters and digits in the name pass through.

    pypinyin is loaded on the first name written, without its phrase dictionary: a person's
    name is not a phrase (the dictionary reads 单 and 曾 no better), and it costs the window
    ~40 MB for as long as it runs."""
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    from pypinyin import Style, lazy_pinyin

    syllables = [
        s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="default") if s.strip()
    ]
    full = "".join(syllables).replace(" ", "")
    initials = "".join(s[0] for s in syllables if s)
    return full, initials
