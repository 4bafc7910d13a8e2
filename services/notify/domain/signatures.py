"""Standard Webhooks signatures: `v1` (HMAC-SHA256) and `v1a` (Ed25519).

Both sign `<webhook-id>.<webhook-timestamp>.<body>` over the exact bytes sent. Secrets are written
`whsec_<base64>`; Ed25519 keys `whsk_<base64>` (private) and `whpk_<base64>` (public).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SECRET_PREFIX = "whsec_"
SIGNING_KEY_PREFIX = "whsk_"
PUBLIC_KEY_PREFIX = "whpk_"
SECRET_BYTES = 32  # the spec asks for 24–64 random bytes


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_signing_key() -> str:
    raw = Ed25519PrivateKey.generate().private_bytes_raw()
    return SIGNING_KEY_PREFIX + base64.b64encode(raw).decode()


def public_key_for(signing_key: str) -> str:
    private = _ed25519(signing_key)
    return PUBLIC_KEY_PREFIX + base64.b64encode(private.public_key().public_bytes_raw()).decode()


def signed_content(webhook_id: str, timestamp: int, body: bytes) -> bytes:
    return f"{webhook_id}.{timestamp}.".encode() + body


def sign_v1(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, signed_content(webhook_id, timestamp, body), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def sign_v1a(signing_key: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    signature = _ed25519(signing_key).sign(signed_content(webhook_id, timestamp, body))
    return "v1a," + base64.b64encode(signature).decode()


def signature_header(
    *, webhook_id: str, timestamp: int, body: bytes, secrets_: list[str], signing_key: str | None
) -> str:
    """The `webhook-signature` value: one `v1,` per valid secret (two during a rotation) and a
    `v1a,` when the endpoint has an Ed25519 key; space-separated."""
    parts = [sign_v1(secret, webhook_id, timestamp, body) for secret in secrets_]
    if signing_key:
        parts.append(sign_v1a(signing_key, webhook_id, timestamp, body))
    return " ".join(parts)


def _ed25519(signing_key: str) -> Ed25519PrivateKey:
    raw = base64.b64decode(signing_key.removeprefix(SIGNING_KEY_PREFIX))
    return Ed25519PrivateKey.from_private_bytes(raw)
