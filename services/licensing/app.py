"""The licensing service: license requests, screening, approval, signed licenses."""

from __future__ import annotations

import logging
import os

from flask import Flask, current_app
from sqlalchemy.orm import Session

from services.licensing import api, models
from services.licensing.handlers import directory, people_directory
from services.licensing.models import SigningKey
from services.licensing.signing import (
    SECRET,
    SECRET_FILE,
    Keyring,
    signing_secret,
)
from shared import config
from shared.directory import Directory
from shared.http.app import create_service_app
from shared.runtime import ServiceContext
from shared.sealing import generate_local_secret

SERVICE = "licensing"
LOCAL_SECRET_FILE = "signing-key.secret"
log = logging.getLogger(__name__)


def build_context(database_url: str | None = None) -> ServiceContext:
    return ServiceContext.connect(
        SERVICE,
        models,
        directory.principal_for,
        database_url,
        remember_principals_for=Directory.REMEMBER_SECONDS,
        people=people_directory,
    )


def build_keyring(context: ServiceContext) -> Keyring:
    """The keyring, checked: a key that does not decrypt stops start-up here, naming the
    setting. The first key is created on first start."""
    with context.session_factory() as session, session.begin():
        keyring = Keyring(_secret(session))
        keyring.check(session)
        keyring.ensure_key(session)
    return keyring


def _secret(session: Session) -> bytes | None:
    """The configured secret; on the zero-setup SQLite default (`ipmarket run`) without one, a
    generated secret kept in var/ (created only while no key exists yet)."""
    secret = signing_secret()
    if secret is not None or f"IPMARKET_{SERVICE.upper()}_DATABASE_URL" in os.environ:
        return secret
    path = config.var_dir() / LOCAL_SECRET_FILE
    # Keys first, then the file: a worker starting beside another that has just written the
    # file and then its first key sees both (the file appears whole, see generate_local_secret).
    if session.query(SigningKey).first() is not None and not path.exists():
        return None  # keys exist: their secret is missing, and start-up must say so
    try:
        generate_local_secret(path)
    except FileExistsError:
        pass  # another worker wrote it a moment ago
    log.warning(
        "%s is not set: using the generated secret in %s (set %s or %s in production)",
        SECRET,
        path,
        SECRET,
        SECRET_FILE,
    )
    return signing_secret({SECRET_FILE: str(path)})


def keyring() -> Keyring:
    return current_app.extensions["licensing.keyring"]


def create_app(database_url: str | None = None) -> Flask:
    context = build_context(database_url)
    app = create_service_app(
        context,
        title="ipmarket licensing",
        blueprints=api.blueprints,
        description="License requests, export screening, signed "
        "licenses, quotes, orders and invoices.",
    )
    app.extensions["licensing.keyring"] = build_keyring(context)
    api.add_old_paths(app)
    return app
