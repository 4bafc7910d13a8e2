"""Reading a person's access token: the signature by kid, the issuer, expiry with leeway."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared import access_tokens
from shared.errors import NotAuthenticated
from shared.jws import sign_compact

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
KEY = Ed25519PrivateKey.generate()
KEYS = {"k1": KEY.public_key()}


def token(kid: str = "k1", key=KEY, **changes) -> str:
    claims = {
        "iss": access_tokens.ISSUER,
        "sub": "person-1",
        "sid": "session-1",
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + access_tokens.LIFETIME).timestamp()),
        "name": "李伟",
        "platform_roles": ["export_reviewer"],
        "memberships": {},
    }
    return sign_compact({**claims, **changes}, kid=kid, private_key=key)


def test_a_genuine_token_names_the_person_the_session_and_the_platform_roles():
    claims = access_tokens.read(token(), KEYS, NOW)
    assert claims.person_id == "person-1" and claims.session_id == "session-1"
    assert claims.platform_roles == {"export_reviewer"} and claims.name == "李伟"


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (lambda: token(kid="k9"), "unknown key"),
        (lambda: token(key=Ed25519PrivateKey.generate()), "signature does not match"),
        (lambda: "a.b.c", "not an access token"),
        (lambda: token(iss="someone-else"), "not an access token of this platform"),
        (lambda: token(exp="tomorrow"), "not an access token of this platform"),
        (lambda: token(sid=None), "not an access token of this platform"),
    ],
)
def test_a_token_not_genuine_is_refused_saying_why(bad, reason):
    with pytest.raises(NotAuthenticated, match=reason):
        access_tokens.read(bad(), KEYS, NOW)


def test_a_token_holds_until_its_expiry_plus_the_leeway_and_not_a_second_more():
    expiry = NOW + access_tokens.LIFETIME + access_tokens.LEEWAY
    access_tokens.read(token(), KEYS, expiry - timedelta(seconds=1))
    with pytest.raises(NotAuthenticated, match="expired"):
        access_tokens.read(token(), KEYS, expiry)


def test_api_keys_and_access_tokens_are_told_apart():
    assert access_tokens.looks_like_access_token(token())
    assert not access_tokens.looks_like_access_token("ipm_" + "x" * 43)
