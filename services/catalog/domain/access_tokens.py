"""A person's access token as the catalog issues it: a compact JWS (RFC 7515, shared/jws.py)
signed with EdDSA/Ed25519 (RFC 8037), valid for minutes, naming the person, the session and
the roles it carries. Every service reads it with shared/access_tokens.py, holding the public
key the catalog announced (ACCESS_TOKEN_KEY_ANNOUNCED), without asking the catalog."""

from __future__ import annotations

from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared import jws
from shared.access_tokens import ISSUER, LIFETIME, TYP, AccessClaims, read

__all__ = ["ISSUER", "LIFETIME", "AccessClaims", "issue", "public_key_text", "read"]


def issue(
    private_key: Ed25519PrivateKey,
    kid: str,
    *,
    person_id: str,
    session_id: str,
    name: str | None = None,
    memberships: dict[str, list[str]],
    platform_roles: list[str],
    now: datetime,
) -> str:
    claims = {
        "iss": ISSUER,
        "sub": person_id,
        "sid": session_id,
        "iat": int(now.timestamp()),
        "exp": int((now + LIFETIME).timestamp()),
        "name": name,
        "memberships": memberships,
        "platform_roles": platform_roles,
    }
    return jws.sign_compact(claims, kid=kid, private_key=private_key, typ=TYP)


public_key_text = jws.public_key_text
