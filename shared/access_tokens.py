"""A person's access token, as every service reads it. Pure: the keys are looked up by the
caller (shared/runtime.ServiceContext.token_keys).

The catalog issues the token (services/catalog/domain/access_tokens.py): a compact JWS
(shared/jws.py, EdDSA) with the claims iss, sub (the person), sid (the session), iat, exp, name,
platform_roles and memberships (organisation → roles at issue; informative only).

A token is accepted when its signature verifies with an announced key and it has not expired
(LEEWAY allowed for clocks apart); what else must hold, and which organisation a request acts
for, is decided by shared/person_principal.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared import jws
from shared.errors import NotAuthenticated

ISSUER = "ipmarket-catalog"
TYP = "JWT"
LIFETIME = timedelta(minutes=5)
LEEWAY = timedelta(seconds=5)  # clocks of two hosts may differ by this much
ORGANISATION_HEADER = "Ipmarket-Organisation"


def looks_like_access_token(credential: str) -> bool:
    """API keys start with `ipm_`; a compact JWS has two dots."""
    return credential.count(".") == 2


@dataclass(frozen=True)
class AccessClaims:
    person_id: str
    session_id: str
    expires_at: float  # seconds since the epoch
    platform_roles: frozenset[str] = frozenset()
    name: str | None = None


def read(token: str, keys: Mapping[str, Ed25519PublicKey], now: datetime) -> AccessClaims:
    """The claims of a genuine access token that has not expired; NotAuthenticated (401)
    saying why otherwise."""
    try:
        header, claims = jws.verify_compact(token, keys)
    except jws.UnknownKey:
        raise NotAuthenticated("the access token is signed with an unknown key") from None
    except jws.BadSignature:
        raise NotAuthenticated("the access token's signature does not match") from None
    except jws.MalformedJws as error:
        raise NotAuthenticated(f"not an access token: {error}") from None
    expires = claims.get("exp")
    if (
        claims.get("iss") != ISSUER
        or not isinstance(expires, int)
        or not isinstance(claims.get("sub"), str)
        or not isinstance(claims.get("sid"), str)
    ):
        raise NotAuthenticated("not an access token of this platform")
    if now.timestamp() >= expires + LEEWAY.total_seconds():
        raise NotAuthenticated("the access token has expired; refresh it")
    platform_roles = claims.get("platform_roles") or []
    return AccessClaims(
        person_id=claims["sub"],
        session_id=claims["sid"],
        expires_at=expires + LEEWAY.total_seconds(),
        platform_roles=frozenset(r for r in platform_roles if isinstance(r, str)),
        name=claims.get("name") if isinstance(claims.get("name"), str) else None,
    )
