"""Signed, expiring tokens for links sent by e-mail (invitations, address verification,
password resets): `<purpose>.<subject>.<expires>.<signature>`, the signature an HMAC-SHA256 of
the rest under the catalog's token key.

The signature makes a token unforgeable and its expiry tamper-proof without a database read;
single use is the use case's part: the subject (an invitation's id, say) is marked used in the
same transaction that acts on it, and a used subject refuses its token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime


class BadToken(ValueError):
    """Malformed, forged, for another purpose, or expired: the link no longer works."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _signature(key: bytes, message: str) -> str:
    return _b64(hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest())


def sign(key: bytes, purpose: str, subject: str, expires_at: datetime) -> str:
    if "." in purpose or "." in subject:
        raise ValueError("a token's purpose and subject hold no dots")
    message = f"{purpose}.{subject}.{int(expires_at.timestamp())}"
    return f"{message}.{_signature(key, message)}"


def verify(key: bytes, token: str, purpose: str, now: datetime) -> str:
    """The token's subject, if the token is genuine, for `purpose` and not expired."""
    parts = token.split(".")
    if len(parts) != 4:
        raise BadToken("not a link this platform sent")
    message = ".".join(parts[:3])
    if not hmac.compare_digest(_signature(key, message), parts[3]):
        raise BadToken("not a link this platform sent")
    token_purpose, subject, expires = parts[:3]
    if token_purpose != purpose or not expires.isdigit():
        raise BadToken("not a link for this")
    if now >= datetime.fromtimestamp(int(expires), UTC):
        raise BadToken("the link has expired; ask for a new one")
    return subject
