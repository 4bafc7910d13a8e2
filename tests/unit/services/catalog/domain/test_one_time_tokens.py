"""Signed, expiring link tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.catalog.domain.one_time_tokens import BadToken, sign, verify

KEY = b"k" * 32
NOW = datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)


def test_a_token_names_its_subject_until_it_expires():
    token = sign(KEY, "invitation", "inv-1", NOW + timedelta(days=7))
    assert verify(KEY, token, "invitation", NOW) == "inv-1"
    with pytest.raises(BadToken, match="expired"):
        verify(KEY, token, "invitation", NOW + timedelta(days=7))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace("inv-1", "inv-2"),
        lambda t: t.replace(
            str(int((NOW + timedelta(days=7)).timestamp())),
            str(int((NOW + timedelta(days=70)).timestamp())),
        ),
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: t.rsplit(".", 1)[0],
    ],
)
def test_a_changed_token_is_refused(tamper):
    token = sign(KEY, "invitation", "inv-1", NOW + timedelta(days=7))
    with pytest.raises(BadToken):
        verify(KEY, tamper(token), "invitation", NOW)


def test_another_key_or_purpose_is_refused():
    token = sign(KEY, "invitation", "inv-1", NOW + timedelta(days=7))
    with pytest.raises(BadToken):
        verify(b"x" * 32, token, "invitation", NOW)
    with pytest.raises(BadToken):
        verify(KEY, token, "password_reset", NOW)
