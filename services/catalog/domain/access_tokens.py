"""A person's access token: a compact JWS (RFC 7515) signed with EdDSA/Ed25519 (RFC 8037),
valid for minutes, naming the person, the session and the roles it carries. Any service that
holds the announced public key checks it without asking the catalog.

The same format as licensing's license tokens (services/licensing/domain/jws.py); both should
use one module in shared/ once the renovation of shared/ has landed."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

LIFETIME = timedelta(minutes=5)
ISSUER = "ipmarket-catalog"


class BadAccessToken(ValueError):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except ValueError:
        raise BadAccessToken("not base64url") from None


def _json(value: dict) -> str:
    return _b64(
        json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
    )


def issue(
    private_key: Ed25519PrivateKey,
    kid: str,
    *,
    person_id: str,
    session_id: str,
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
        "memberships": memberships,
        "platform_roles": platform_roles,
    }
    signing_input = f"{_json({'alg': 'EdDSA', 'kid': kid, 'typ': 'JWT'})}.{_json(claims)}"
    return f"{signing_input}.{_b64(private_key.sign(signing_input.encode('ascii')))}"


def verify(token: str, public_keys: dict[str, Ed25519PublicKey], now: datetime) -> dict:
    """The claims of a genuine, unexpired token; BadAccessToken otherwise."""
    parts = token.split(".")
    if len(parts) != 3:
        raise BadAccessToken("an access token has three dot-separated parts")
    try:
        header = json.loads(_unb64(parts[0]))
        key = public_keys[header["kid"]] if header.get("alg") == "EdDSA" else None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BadAccessToken("unknown signing key") from None
    if key is None:
        raise BadAccessToken("an access token is signed with EdDSA")
    try:
        key.verify(_unb64(parts[2]), f"{parts[0]}.{parts[1]}".encode("ascii"))
    except InvalidSignature:
        raise BadAccessToken("the signature does not match") from None
    claims = json.loads(_unb64(parts[1]))
    if claims.get("iss") != ISSUER or not isinstance(claims.get("exp"), int):
        raise BadAccessToken("not an access token of this platform")
    if now.timestamp() >= claims["exp"]:
        raise BadAccessToken("the access token has expired; refresh it")
    return claims


def public_key_text(public_key: Ed25519PublicKey) -> str:
    """base64url of the raw 32 bytes (the JWK's "x"), as the announcing event carries it."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return _b64(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw))
