"""The catalog issues a person's access token that shared/access_tokens reads back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.catalog.domain import access_tokens
from shared.errors import NotAuthenticated

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
KEY = Ed25519PrivateKey.generate()


def token(**changes) -> str:
    claims = dict(
        person_id="p-1",
        session_id="s-1",
        name="李伟",
        memberships={"org-1": ["approver"]},
        platform_roles=[],
        now=NOW,
    )
    return access_tokens.issue(KEY, "kid-1", **(claims | changes))


def test_an_issued_token_is_read_back_with_what_it_names():
    claims = access_tokens.read(token(), {"kid-1": KEY.public_key()}, now=NOW)
    assert (claims.person_id, claims.session_id, claims.name) == ("p-1", "s-1", "李伟")
    # expiry as issued, plus the few seconds' leeway readers allow for clocks apart
    assert 0 <= claims.expires_at - (NOW + access_tokens.LIFETIME).timestamp() <= 10


def test_a_token_lives_for_minutes_only():
    assert timedelta(minutes=1) <= access_tokens.LIFETIME <= timedelta(minutes=15)
    later = NOW + access_tokens.LIFETIME + timedelta(minutes=1)
    with pytest.raises(NotAuthenticated):
        access_tokens.read(token(), {"kid-1": KEY.public_key()}, now=later)


def test_a_token_signed_by_another_key_is_refused():
    other = Ed25519PrivateKey.generate()
    with pytest.raises(NotAuthenticated):
        access_tokens.read(token(), {"kid-1": other.public_key()}, now=NOW)
