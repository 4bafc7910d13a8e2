"""Compact JWS (RFC 7515) with EdDSA/Ed25519 (RFC 8037), and Ed25519 JWKs.

Written here on `cryptography`'s Ed25519 (a compact JWS is three base64url parts); the tests
check it with an independent JOSE library. Pure: no keys are stored or read here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class MalformedJws(ValueError):
    pass


# --- base64url and compact JWS ---------------------------------------------------------------


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    # urlsafe_b64decode silently skips characters outside the alphabet: check them first.
    if not _B64URL.match(text) or len(text) % 4 == 1:
        raise MalformedJws("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json_bytes(value: dict) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def sign_compact(
    payload: dict, *, kid: str, private_key: Ed25519PrivateKey, typ: str = "JWT"
) -> str:
    header = {"alg": "EdDSA", "kid": kid, "typ": typ}
    signing_input = f"{b64url_encode(_json_bytes(header))}.{b64url_encode(_json_bytes(payload))}"
    signature = private_key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def split_compact(token: str) -> tuple[dict, bytes, bytes, str]:
    """(header, payload bytes, signature, signing input); raises MalformedJws. The payload is
    returned undecoded: it is read only after its signature checks out."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise MalformedJws("a compact JWS has three dot-separated parts")
    try:
        header = json.loads(b64url_decode(parts[0]))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MalformedJws("the JWS header is not JSON") from None
    if (
        not isinstance(header, dict)
        or header.get("alg") != "EdDSA"
        or not isinstance(header.get("kid"), str)
    ):
        raise MalformedJws("the JWS header must have alg EdDSA and a kid")
    return header, b64url_decode(parts[1]), b64url_decode(parts[2]), f"{parts[0]}.{parts[1]}"


# --- JWK -------------------------------------------------------------------------------------


def public_jwk(kid: str, public_key_b64: str) -> dict:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": public_key_b64,
        "kid": kid,
        "alg": "EdDSA",
        "use": "sig",
    }


def thumbprint(public_key_b64: str) -> str:
    canonical = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": public_key_b64}, separators=(",", ":"), sort_keys=True
    )
    return b64url_encode(hashlib.sha256(canonical.encode()).digest())


def public_keys_from_jwks(jwks: dict) -> dict[str, Ed25519PublicKey]:
    """kid → key of the Ed25519 keys of a JWKS document; anything else is skipped."""
    keys = {}
    for jwk in jwks.get("keys", []) if isinstance(jwks, dict) else []:
        if isinstance(jwk, dict) and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            try:
                keys[jwk["kid"]] = Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
            except (KeyError, ValueError, TypeError):
                continue
    return keys
