"""Webhook secrets (`whsec_…`, current and previous) and endpoints' Ed25519 signing keys
(`whsk_…`) are stored sealed (shared/sealing.py) under IPMARKET_WEBHOOK_KEY_SECRET (or the file
IPMARKET_WEBHOOK_KEY_SECRET_FILE names). Their columns are of type `SealedText`: sealed on the
way in and opened on the way out, so the API and the delivery worker read the secret and the
database holds only its sealed form.
"""

from __future__ import annotations

import logging
import os

import sqlalchemy as sa

from shared import config
from shared.sealing import Sealer, SealError, generate_local_secret, read_secret

SECRET = "IPMARKET_WEBHOOK_KEY_SECRET"
SECRET_FILE = "IPMARKET_WEBHOOK_KEY_SECRET_FILE"
LOCAL_SECRET_FILE = "webhook-key.secret"
CONTEXT = "webhook endpoint secret"  # the associated data: opens only as what it was sealed as
SEALED_LENGTH = 400  # a sealed whsk_/whsec_ value is about 150 characters
log = logging.getLogger(__name__)


class WebhookKeySecretError(SealError):
    pass


def webhook_key_secret(environ: dict | None = None) -> bytes:
    """The configured secret; on the zero-setup SQLite default (`ipmarket run`) without one, a
    generated secret kept in var/ (shared by every notify process of this machine)."""
    env = os.environ if environ is None else environ
    secret = read_secret(SECRET, SECRET_FILE, env, WebhookKeySecretError)
    if secret is not None:
        return secret
    if "IPMARKET_NOTIFY_DATABASE_URL" in env:
        raise WebhookKeySecretError(
            f"{SECRET} (or {SECRET_FILE}) is not set; webhook secrets cannot be stored or "
            "read without it: set it to the secret they were encrypted with"
        )
    path = config.var_dir(env) / LOCAL_SECRET_FILE
    try:
        generate_local_secret(path)
    except FileExistsError:
        pass  # another process wrote it a moment ago
    log.warning(
        "%s is not set: using the generated secret in %s (set %s or %s in production)",
        SECRET,
        path,
        SECRET,
        SECRET_FILE,
    )
    return read_secret(SECRET, SECRET_FILE, {SECRET_FILE: str(path)}, WebhookKeySecretError)


_sealers: dict[tuple, Sealer] = {}


def sealer() -> Sealer:
    """The sealer of the secret configured now (one per secret: scrypt runs once per salt)."""
    env = os.environ
    setting = (
        env.get(SECRET),
        env.get(SECRET_FILE),
        env.get("IPMARKET_NOTIFY_DATABASE_URL"),
        env.get("IPMARKET_VAR_DIR"),
    )
    found = _sealers.get(setting)
    if found is None:
        found = _sealers[setting] = Sealer(webhook_key_secret())
    return found


class SealedText(sa.types.TypeDecorator):
    """A secret stored sealed; None stays None."""

    impl = sa.String(SEALED_LENGTH)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else sealer().seal(value, CONTEXT)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        opener = sealer()
        try:
            return opener.open(value, CONTEXT)
        except SealError:
            raise WebhookKeySecretError(
                f"{SECRET} (or {SECRET_FILE}) does not open the stored webhook secrets: "
                "wrong secret?"
            ) from None
