"""Compact JWS (RFC 7515) with EdDSA/Ed25519 (RFC 8037), and Ed25519 JWKs: the one format of
the platform's signed tokens — licensing's licenses and status lists, the catalog's access
tokens for people.

Written here on `cryptography`'s Ed25519 (a compact JWS is three base64url parts); the tests
check it with an independent JOSE library. Only EdDSA is accepted, whatever a header says, so
no "alg" confusion is possible. Pure: no keys are stored or read here.

`verify_compact` raises one of three errors, each a JwsError: MalformedJws (not a compact
EdDSA JWS with a kid and a JSON object payload), UnknownKey (no key has its kid), BadSignature.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class JwsError(ValueError):
    """Why a compact JWS was refused."""


class MalformedJws(JwsError):
    pass


class UnknownKey(JwsError):
    def __init__(self, kid: str):
        super().__init__(f"no known key has kid {kid}")
        self.kid = kid


class BadSignature(JwsError):
    def __init__(self):
        super().__init__("the signature does not match")


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


def verify_compact(token: str, keys: Mapping[str, Ed25519PublicKey]) -> tuple[dict, dict]:
    """(header, claims) of a compact JWS signed by the key of `keys` its header names; the
    payload is parsed only once the signature holds. Raises MalformedJws, UnknownKey or
    BadSignature."""
    header, payload, signature, signing_input = split_compact(token)
    key = keys.get(header["kid"])
    if key is None:
        raise UnknownKey(header["kid"])
    try:
        key.verify(signature, signing_input.encode("ascii"))
    except InvalidSignature:
        raise BadSignature() from None
    try:
        claims = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MalformedJws("the payload is not JSON") from None
    if not isinstance(claims, dict):
        raise MalformedJws("the payload is not a JSON object")
    return header, claims


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


def public_key_text(public_key: Ed25519PublicKey) -> str:
    """base64url of the raw 32 bytes: a JWK's "x"."""
    return b64url_encode(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """The key of a JWK's "x"; MalformedJws if it is not 32 base64url bytes."""
    try:
        return Ed25519PublicKey.from_public_bytes(b64url_decode(text))
    except ValueError as error:
        raise MalformedJws(f"not an Ed25519 public key: {error}") from None


def thumbprint(public_key_b64: str) -> str:
    canonical = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": public_key_b64}, separators=(",", ":"), sort_keys=True
    )
    return b64url_encode(hashlib.sha256(canonical.encode()).digest())


# Manifest keys (deliverables) are served in licensing's JWKS beside the license keys; their
# kid says which they are, so that neither kind ever verifies the other's tokens.
MANIFEST_KID_PREFIX = "manifest-"


def manifest_kid(public_key_b64: str) -> str:
    return MANIFEST_KID_PREFIX + thumbprint(public_key_b64)


def is_manifest_kid(kid) -> bool:
    return isinstance(kid, str) and kid.startswith(MANIFEST_KID_PREFIX)


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
