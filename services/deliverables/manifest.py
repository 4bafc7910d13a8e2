"""The manifests' signing key, and manifests signed and read with it (compact JWS, EdDSA).

Deliverables signs with an Ed25519 key of its own, its private half sealed at rest
(shared/sealing) under the deployment's signing-key secret, IPMARKET_SIGNING_KEY_SECRET, the one
licensing seals its license keys under; on `ipmarket run` without it, a generated secret in
var/. The public keys reach licensing by event and are served in the license keys' JWKS (its
/.well-known/jwks.json, kids "manifest-…"), and here at /.well-known/jwks.json too, so that an
independent JOSE library checks a manifest with nothing but either document."""

from __future__ import annotations

import logging
import os

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from services.deliverables.domain.packages import MANIFEST_TYPE
from services.deliverables.models import ManifestKey
from shared import config
from shared.db.schema import utcnow
from shared.errors import Conflict, NotFound
from shared.events import deliverables as events
from shared.jws import (
    MANIFEST_KID_PREFIX,
    b64url_decode,
    b64url_encode,
    manifest_kid,
    public_jwk,
    sign_compact,
)
from shared.messaging.unit_of_work import UnitOfWork
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
    """Signs manifests with the newest manifest key that is not retired, made on first use.

    Its kid is "manifest-" + its thumbprint, and every key made is announced by event
    (MANIFEST_KEY_PUBLISHED, in the same transaction) for licensing to serve in the license
    keys' JWKS, which refuses such a kid on a license. Keys made before kids had the prefix are
    left to verify the manifests they signed here, and sign no more."""

    def __init__(self, secret: bytes):
        self._sealer = Sealer(secret)
        self._private: dict[str, Ed25519PrivateKey] = {}

    def _key(self, uow: UnitOfWork) -> tuple[str, Ed25519PrivateKey]:
        key = uow.session.scalars(
            sa.select(ManifestKey)
            .where(
                ManifestKey.retired_at.is_(None), ManifestKey.kid.startswith(MANIFEST_KID_PREFIX)
            )
            .order_by(ManifestKey.created_at.desc(), ManifestKey.kid)
            .limit(1)
        ).first()
        if key is None:
            kid = self.create_key(uow)
            return kid, self._private[kid]
        if key.kid not in self._private:
            raw = b64url_decode(self._sealer.open(key.sealed_private_key, f"{CONTEXT} {key.kid}"))
            self._private[key.kid] = Ed25519PrivateKey.from_private_bytes(raw)
        return key.kid, self._private[key.kid]

    def create_key(self, uow: UnitOfWork) -> str:
        """A new manifest key, the one that signs from now on (a rotation); its kid."""
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
        kid, now = manifest_kid(public), utcnow()
        sealed = self._sealer.seal(b64url_encode(raw), f"{CONTEXT} {kid}")
        uow.session.add(ManifestKey(kid=kid, public_key=public, sealed_private_key=sealed,
                                    created_at=now))  # fmt: skip
        uow.session.flush()
        uow.publish(events.MANIFEST_KEY_PUBLISHED, kid,
                    {"public_key": public, "created_at": now.isoformat()})  # fmt: skip
        self._private[kid] = private
        return kid

    def sign(self, uow: UnitOfWork, claims: dict) -> str:
        kid, private = self._key(uow)
        return sign_compact(claims, kid=kid, private_key=private, typ=MANIFEST_TYPE)


def retire(uow: UnitOfWork, kid: str) -> ManifestKey:
    """As the license keys: a retired key signs and verifies no more; the only signing key
    cannot be retired (rotate first)."""
    key = uow.session.get(ManifestKey, kid)
    if key is None:
        raise NotFound(f"manifest key {kid} does not exist")
    if key.retired_at is not None:
        return key
    signing = uow.session.scalars(
        sa.select(ManifestKey.kid).where(
            ManifestKey.retired_at.is_(None), ManifestKey.kid.startswith(MANIFEST_KID_PREFIX)
        )
    ).all()
    if signing == [kid]:
        raise Conflict("the only manifest key cannot be retired; rotate first")
    key.retired_at = utcnow()
    retired = {"public_key": key.public_key, "retired_at": key.retired_at.isoformat()}
    uow.publish(events.MANIFEST_KEY_RETIRED, kid, retired)
    return key


def jwks(session: Session) -> dict:
    """The manifest keys' public halves that are not retired, as a JWK Set (RFC 7517)."""
    keys = session.scalars(
        sa.select(ManifestKey)
        .where(ManifestKey.retired_at.is_(None))
        .order_by(ManifestKey.created_at)
    )
    return {"keys": [public_jwk(key.kid, key.public_key) for key in keys]}
