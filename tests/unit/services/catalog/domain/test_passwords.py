"""Password rules per NIST SP 800-63B-4: length, the common list, the person's own names."""

from __future__ import annotations

import pytest

from services.catalog.domain.passwords import MAX_LENGTH, MIN_LENGTH, password_problem

GOOD = "plum kettle orbit 47"


def test_a_long_uncommon_password_is_fine_without_any_composition_rule():
    assert password_problem(GOOD) is None
    assert password_problem("all lower case words here") is None


def test_too_short_counts_characters_not_bytes():
    assert "at least 15" in password_problem("x" * 3 + "Ab1!defgh12")  # 14
    assert password_problem("密码学家喜欢在山上散步和喝茶吗") is None  # 15 CJK characters


def test_at_least_64_characters_are_accepted_and_the_maximum_is_bounded():
    assert MAX_LENGTH >= 64 and password_problem("q7 " * 21 + "end") is None
    assert "at most" in password_problem("long words " * 12)


@pytest.mark.parametrize(
    "common",
    [
        "passwordpassword",
        "QwertyuiopAsdfghjkl",
        "123456789012345",
        "correct horse battery staple",
        "aaaaaaaaaaaaaaaa",
        "abcabcabcabcabcabc",
        "1234567890123456",
        "abcdefghijklmnopq",
        "zyxwvutsrqponmlk",
    ],
)
def test_common_and_repetitive_passwords_are_refused(common):
    assert len(common) >= MIN_LENGTH
    assert "common" in password_problem(common)


def test_full_width_characters_are_the_same_password():
    assert "common" in password_problem("ｐａｓｓｗｏｒｄｐａｓｓｗｏｒｄ")


def test_the_persons_own_address_is_refused():
    assert "e-mail" in password_problem(
        "li.wei.xinyuan@example.cn", context=("Li.Wei.Xinyuan@example.cn",)
    )
    assert "e-mail" in password_problem("li.wei.xinyuan99", context=("li.wei.xinyuan@example.cn",))
    assert password_problem(GOOD, context=("li.wei@example.cn", "Li Wei")) is None
