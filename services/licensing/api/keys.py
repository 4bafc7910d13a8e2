"""The public keys that verify licenses and status lists, at the well-known root path
(RFC 8615) where JOSE tools look for them."""

from __future__ import annotations

from services.licensing import manifest_keys
from services.licensing.api.common import keyring
from services.licensing.schemas.licenses import Jwks
from shared.http.api_docs import Blueprint
from shared.http.context import service_context

blp = Blueprint("keys", __name__, description="License signing keys (JWKS)")


@blp.get("/.well-known/jwks.json")
@blp.response(200, Jwks)
def jwks():
    """Public keys that verify licenses and status lists (RFC 7517), and those that verify the
    deliverables' manifests (kid "manifest-…": never a license's)."""
    with service_context().session_factory() as session:
        keys = keyring().jwks(session)["keys"] + manifest_keys.public_jwks(session)
    return {"keys": keys}, 200, {"Cache-Control": "max-age=300"}
