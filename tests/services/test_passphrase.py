"""The passphrase floor: an estimate of an attacker's guesses that knows Chinese habits."""

import pytest

from app.errors import ValidationError
from app.services import passphrase


@pytest.mark.parametrize(
    "weak",
    [
        "12345678",
        "password",
        "woaini1314",
        "我爱你我爱你1314",  # woainiwoaini1314 to an attacker
        "5201314520",
        "zhangwei1985",
        "qwertyuiop",
        "aaaaaaaaaaaa",
        "Xinli2026!",
    ],
)
def test_common_and_pinyin_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        passphrase.require_acceptable(weak)


@pytest.mark.parametrize(
    "strong", ["春风十里2026-test", "江边的小船2026", "李老师的口令2026", "xinli-laoshi-jiangmen"]
)
def test_a_short_chinese_phrase_with_a_number_is_accepted(strong):
    """(心理老师2026 is not: a counselor's own words are the first an attacker tries.)"""
    passphrase.require_acceptable(strong)


def test_the_refusal_says_why_in_chinese():
    message = passphrase.problem("zhangwei1985")
    assert message is not None and message.startswith("这个密码太容易被猜到")
    assert "zhang、wei" in message and "日期或年份（1985）" in message


def test_the_user_name_counts_against_the_passphrase():
    assert passphrase.problem("chenxiaoli2026") is None
    assert passphrase.problem("chenxiaoli2026", ("chenxiaoli",)) is not None


def test_the_strength_hint_never_calls_a_refused_passphrase_fair():
    assert passphrase.strength("zhangwei1985") <= 1
    assert passphrase.strength("春风十里2026-test") == 4
