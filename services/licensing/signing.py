"""License signing keys: the keyring that signs licenses (EdDSA/Ed25519, see shared/jws.py).

Private keys are stored only encrypted: AES-256-GCM under a key derived with scrypt from
IPMARKET_SIGNING_KEY_SECRET (or the file named by IPMARKET_SIGNING_KEY_SECRET_FILE), a fresh salt
and nonce per key, the kid as associated data. The newest key that is not retired signs; every
key that is not retired is published in the JWKS and keeps verifying. A key's `kid` is its JWK
thumbprint (RFC 7638).
"""

from __future__ import annotations

import os
import threading

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy.orm import Session

from services.licensing.models import SigningKey
from shared import config
from shared.db.schema import utcnow
from shared.errors import Conflict, NotFound
from shared.jws import b64url_decode, b64url_encode, public_jwk, thumbprint
from shared.sealing import read_secret

SECRET = "IPMARKET_SIGNING_KEY_SECRET"
SECRET_FILE = "IPMARKET_SIGNING_KEY_SECRET_FILE"
ENCRYPTION_FORMAT = "scrypt-aes256gcm-v1"


# --- the secret and encryption at rest -------------------------------------------------------


class SigningSecretError(config.ConfigError):
    pass


def signing_secret(environ: dict | None = None) -> bytes | None:
    return read_secret(SECRET, SECRET_FILE, environ, SigningSecretError)


def _key_encryption_key(secret: bytes, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(secret)


def encrypt_private_key(secret: bytes, kid: str, private_key: Ed25519PrivateKey) -> str:
    raw = private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_key_encryption_key(secret, salt)).encrypt(nonce, raw, kid.encode())
    return ".".join(
        [ENCRYPTION_FORMAT, b64url_encode(salt), b64url_encode(nonce), b64url_encode(sealed)]
    )


def decrypt_private_key(secret: bytes, kid: str, stored: str) -> Ed25519PrivateKey:
    fmt, salt, nonce, sealed = stored.split(".")
    if fmt != ENCRYPTION_FORMAT:
        raise SigningSecretError(f"signing key {kid} is stored in an unknown format {fmt!r}")
    try:
        raw = AESGCM(_key_encryption_key(secret, b64url_decode(salt))).decrypt(
            b64url_decode(nonce), b64url_decode(sealed), kid.encode()
        )
    except InvalidTag:
        raise SigningSecretError(
            f"{SECRET} (or {SECRET_FILE}) does not decrypt signing key {kid}: wrong secret?"
        ) from None
    return Ed25519PrivateKey.from_private_bytes(raw)


# --- the keyring -----------------------------------------------------------------------------


def signer_kid() -> sa.Select:
    """The kid of the newest key that is not retired (None: no key); as a scalar subquery,
    it is read with other rows."""
    return (
        sa.select(SigningKey.kid)
        .where(SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc(), SigningKey.kid)
        .limit(1)
    )


class Keyring:
    """The service's signing keys. Decrypted private keys stay in this process's memory only
    (cached by kid: a key never changes, and scrypt is slow on purpose)."""

    def __init__(self, secret: bytes | None):
        self._secret = secret
        self._private: dict[str, Ed25519PrivateKey] = {}
        self._public: dict[str, Ed25519PublicKey] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls, environ: dict | None = None) -> Keyring:
        return cls(signing_secret(environ))

    def _require_secret(self) -> bytes:
        if self._secret is None:
            raise SigningSecretError(
                f"{SECRET} (or {SECRET_FILE}) is not set; licenses cannot be signed "
                "without it: set it to the secret the signing keys were encrypted with"
            )
        return self._secret

    def check(self, session: Session) -> None:
        """At start-up: every usable key must decrypt, so that a wrong or missing secret
        stops the service now rather than failing the first issuance."""
        for key in self._active_keys(session):
            self._private_key(key)

    def ensure_key(self, session: Session) -> str:
        """The signing kid, creating the first key when there is none."""
        _lock_keys(session)
        active = self._active_keys(session)
        return active[0].kid if active else self.create_key(session)

    def create_key(self, session: Session) -> str:
        secret = self._require_secret()
        private_key = Ed25519PrivateKey.generate()
        public_b64 = b64url_encode(
            private_key.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
        )
        kid = thumbprint(public_b64)
        session.add(
            SigningKey(
                kid=kid,
                public_key=public_b64,
                encrypted_private_key=encrypt_private_key(secret, kid, private_key),
            )
        )
        session.flush()
        with self._lock:
            self._private[kid] = private_key
        return kid

    def rotate(self, session: Session) -> str:
        """A new signing key; the older ones keep verifying until retired."""
        _lock_keys(session)
        return self.create_key(session)

    def retire(self, session: Session, kid: str) -> SigningKey:
        key = session.get(SigningKey, kid)
        if key is None:
            raise NotFound(f"signing key {kid} does not exist")
        active = self._active_keys(session)
        if key.retired_at is None and [k.kid for k in active] == [kid]:
            raise Conflict("the only signing key cannot be retired; rotate first")
        if key.retired_at is None:
            key.retired_at = utcnow()
        return key

    def signer(self, session: Session, kid: str | None = None) -> tuple[str, Ed25519PrivateKey]:
        """The kid and private key that sign now. `kid`: the signing kid the caller read with
        its other rows in this transaction (see `signer_kid()`); without it, it is read here.
        The private key comes from memory once decrypted."""
        with session.no_autoflush:  # what the caller added is written once, at its commit
            if kid is None:
                kid = session.scalar(signer_kid())
            if kid is None:
                raise SigningSecretError(
                    "no signing key exists; start the service or run `ipmarket keys rotate`"
                )
            with self._lock:
                private_key = self._private.get(kid)
            return kid, private_key or self._private_key(session.get(SigningKey, kid))

    def active_public_keys(self, session: Session) -> ActivePublicKeys:
        """kid → public key of each key that is not retired, as verify_license asks for it."""
        return ActivePublicKeys(self, session)

    def public_key(self, kid: str, public_b64: str) -> Ed25519PublicKey:
        key = self._public.get(kid)  # a kid's key never changes
        if key is None:
            key = self._public[kid] = Ed25519PublicKey.from_public_bytes(b64url_decode(public_b64))
        return key

    def jwks(self, session: Session) -> dict:
        return {"keys": [public_jwk(k.kid, k.public_key) for k in self._active_keys(session)]}

    def _active_keys(self, session: Session) -> list[SigningKey]:
        # No autoflush: what the caller has added is written once, at its commit.
        with session.no_autoflush:
            return list(
                session.scalars(
                    sa.select(SigningKey)
                    .where(SigningKey.retired_at.is_(None))
                    .order_by(SigningKey.created_at.desc(), SigningKey.kid)
                )
            )

    def _private_key(self, key: SigningKey) -> Ed25519PrivateKey:
        with self._lock:
            if key.kid not in self._private:
                self._private[key.kid] = decrypt_private_key(
                    self._require_secret(), key.kid, key.encrypted_private_key
                )
            return self._private[key.kid]


class ActivePublicKeys:
    """The mapping that verify_license reads keys from: it asks the database for the one kid a
    license names, so that a retired key stops verifying at once."""

    # Built once: building a statement costs more CPU than running it.
    _QUERY = sa.select(SigningKey.__table__.c.public_key).where(
        SigningKey.__table__.c.kid == sa.bindparam("kid"),
        SigningKey.__table__.c.retired_at.is_(None),
    )

    def __init__(self, keyring: Keyring, session: Session):
        self._keyring, self._session = keyring, session

    def get(self, kid, default=None) -> Ed25519PublicKey | None:
        if not isinstance(kid, str):
            return default
        public_b64 = self._session.connection().execute(self._QUERY, {"kid": kid}).scalar()
        return default if public_b64 is None else self._keyring.public_key(kid, public_b64)


def _lock_keys(session: Session) -> None:
    # Two processes starting at once must not both create a "first" key. SQLite's BEGIN
    # IMMEDIATE already serialises writers.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(0x11CE_5E)))
