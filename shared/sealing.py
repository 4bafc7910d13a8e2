"""Secrets sealed at rest, as the license signing keys are (services/licensing/signing.py):
AES-256-GCM under a key derived with scrypt from a deployment secret (a setting, or the file its
_FILE form names), a fresh nonce per value and a context string as associated data, so that a
sealed value opens only where it was sealed for.

`<format>.<salt>.<nonce>.<ciphertext>` (base64url). scrypt is slow on purpose, so a process
seals everything under one salt of its own and keeps each derived key in memory: opening a value
costs one scrypt per salt ever seen, then microseconds.
"""

from __future__ import annotations

import base64
import os
import tempfile
import threading
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from shared import config

FORMAT = "scrypt-aes256gcm-v1"
MIN_SECRET_LENGTH = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def read_secret(
    name: str,
    file_name: str,
    environ: dict | None = None,
    error: type[config.ConfigError] = config.ConfigError,
) -> bytes | None:
    """The secret set in `name`, or read from the file named by `file_name`; None if neither."""
    value = config.get(name, environ)
    path = config.get(file_name, environ)
    if value is None and path:
        try:
            value = Path(path).read_text().strip()
        except OSError as exc:
            raise error(f"{file_name}={path!r} cannot be read: {exc.strerror}") from None
    if value is not None and len(value) < MIN_SECRET_LENGTH:
        raise error(f"{name} must be at least {MIN_SECRET_LENGTH} characters")
    return value.encode() if value is not None else None


def generate_local_secret(path: Path) -> Path:
    """For `ipmarket run` without a configured secret: a random one in a 0600 file. The file
    appears whole or not at all (written aside, then linked into place), so that another
    process starting at the same moment never reads it half written; FileExistsError when
    another wrote it first."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, aside = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w") as f:  # mkstemp makes it 0600
                f.write(_b64(os.urandom(32)) + "\n")
            os.link(aside, path)
        finally:
            os.unlink(aside)
    return path


class SealError(config.ConfigError):
    """A sealed value does not open: the wrong secret, or a value moved from elsewhere."""


def is_sealed(text: str) -> bool:
    return text.startswith(FORMAT + ".")


class Sealer:
    """Seals and opens values under one deployment secret; safe to share between threads."""

    def __init__(self, secret: bytes):
        self._secret = secret
        self._salt = os.urandom(16)  # this process's
        self._keys: dict[bytes, AESGCM] = {}
        self._lock = threading.Lock()

    def _cipher(self, salt: bytes) -> AESGCM:
        with self._lock:
            cipher = self._keys.get(salt)
            if cipher is None:
                key = Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(self._secret)
                cipher = self._keys[salt] = AESGCM(key)
            return cipher

    def seal(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._cipher(self._salt).encrypt(nonce, plaintext.encode(), context.encode())
        return ".".join([FORMAT, _b64(self._salt), _b64(nonce), _b64(sealed)])

    def open(self, stored: str, context: str) -> str:
        parts = stored.split(".")
        if len(parts) != 4 or parts[0] != FORMAT:
            raise SealError(f"a {context} is stored in an unknown format")
        _, salt, nonce, sealed = parts
        try:
            return (
                self._cipher(_unb64(salt))
                .decrypt(_unb64(nonce), _unb64(sealed), context.encode())
                .decode()
            )
        except InvalidTag:
            raise SealError(
                f"a {context} does not open with the configured secret: wrong secret?"
            ) from None
