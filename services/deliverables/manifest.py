"""The manifests' signing key, and manifests signed and read with it (compact JWS, EdDSA).

Deliverables signs with an Ed25519 key of its own, its private half sealed at rest
(shared/sealing) under the deployment's signing-key secret, IPMARKET_SIGNING_KEY_SECRET, the one
licensing seals its license keys under; on `ipmarket run` without it, a generated secret in
var/. The public key is served at /.well-known/jwks.json, so that an independent JOSE library
checks a manifest with nothing but that document."""

from __future__ import annotations

import logging
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from services.deliverables.domain.packages import MANIFEST_TYPE
from services.deliverables.models import ManifestKey
from shared import config
from shared.jws import b64url_decode, b64url_encode, public_jwk, sign_compact, thumbprint
from shared.sealing import Sealer, SealError, generate_local_secret, read_secret

SECRET, SECRET_FILE = "IPMARKET_SIGNING_KEY_SECRET", "IPMARKET_SIGNING_KEY_SECRET_FILE"
LOCAL_SECRET_FILE = "manifest-key.secret"
CONTEXT = "deliverables manifest key"
log = logging.getLogger(__name__)


def manifest_secret(environ: dict | None = None) -> bytes:
    env = os.environ if environ is None else environ
    secret = read_secret(SECRET, SECRET_FILE, env, SealError)
    if secret is not None:
        return secret
    if "IPMARKET_DELIVERABLES_DATABASE_URL" in env:
        raise SealError(f"{SECRET} (or {SECRET_FILE}) is not set: manifests cannot be signed")
    path = config.var_dir(env) / LOCAL_SECRET_FILE
    try:
        generate_local_secret(path)
    except FileExistsError:
        pass  # another process wrote it a moment ago
    log.warning("%s is not set: using the generated secret in %s", SECRET, path)
    return read_secret(SECRET, SECRET_FILE, {SECRET_FILE: str(path)}, SealError)


class ManifestSigner:
    """Signs manifests with the newest manifest key, made on first use."""

    def __init__(self, secret: bytes):
        self._sealer = Sealer(secret)
        self._private: dict[str, Ed25519PrivateKey] = {}

    def _key(self, session: Session) -> tuple[str, Ed25519PrivateKey]:
        key = session.query(ManifestKey).order_by(ManifestKey.created_at.desc()).first()
        if key is None:
            private = Ed25519PrivateKey.generate()
            raw = private.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
            public = b64url_encode(
                private.public_key().public_bytes(
                    serialization.Encoding.Raw, serialization.PublicFormat.Raw
                )
            )
            kid = thumbprint(public)
            sealed = self._sealer.seal(b64url_encode(raw), f"{CONTEXT} {kid}")
            session.add(ManifestKey(kid=kid, public_key=public, sealed_private_key=sealed))
            session.flush()
            self._private[kid] = private
            return kid, private
        if key.kid not in self._private:
            raw = b64url_decode(self._sealer.open(key.sealed_private_key, f"{CONTEXT} {key.kid}"))
            self._private[key.kid] = Ed25519PrivateKey.from_private_bytes(raw)
        return key.kid, self._private[key.kid]

    def sign(self, session: Session, claims: dict) -> str:
        kid, private = self._key(session)
        return sign_compact(claims, kid=kid, private_key=private, typ=MANIFEST_TYPE)


def jwks(session: Session) -> dict:
    """The manifest keys' public halves, as a JWK Set (RFC 7517)."""
    keys = session.query(ManifestKey).order_by(ManifestKey.created_at).all()
    return {"keys": [public_jwk(key.kid, key.public_key) for key in keys]}
