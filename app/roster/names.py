"""Pinyin keys for searching Chinese names by full pinyin or initials."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def pinyin_keys(name: str) -> tuple[str, str]:
    """('zhangsan', 'zs') for 张三; letters and digits in the name pass through."""
    syllables = [
        s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="default") if s.strip()
    ]
    full = "".join(syllables).replace(" ", "")
    initials = "".join(s[0] for s in syllables if s)
    return full, initials
