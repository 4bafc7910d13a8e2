"""A failing write of a row that carries a secret (a webhook endpoint's secrets and signing key,
an API key's hash, a license signing key) must not put the secret in a log line or in the
error's text: SQLAlchemy shows a statement's parameters in both unless told not to."""

from __future__ import annotations

import logging
import uuid

import pytest
import sqlalchemy as sa

from services.catalog import models as catalog
from services.licensing import models as licensing
from services.notify import models as notify
from services.notify.domain import signatures
from shared.db.engine import create_engine
from shared.db.migrations import upgrade
from shared.db.session import session_factory
from shared.directory import generate_api_key


def _endpoint():
    secret, previous, signing_key = (
        signatures.new_secret(),
        signatures.new_secret(),
        signatures.new_signing_key(),
    )
    row = notify.Endpoint(
        id=str(uuid.uuid4()),
        organisation_id=str(uuid.uuid4()),
        url="https://hooks.example.com/ipmarket",
        secret=secret,
        previous_secret=previous,
        signing_key=signing_key,
        schemes=["v1", "v1a"],
    )
    return row, [secret, previous, signing_key]


def _catalog_api_key():
    _, key_hash = generate_api_key()
    return catalog.ApiKey(organisation_id=str(uuid.uuid4()), name="ci", key_hash=key_hash), [
        key_hash
    ]


def _known_api_key(model):
    def make():
        _, key_hash = generate_api_key()
        return model(
            key_id=str(uuid.uuid4()), organisation_id=str(uuid.uuid4()), key_hash=key_hash
        ), [key_hash]

    return make


def _signing_key():
    sealed = "scrypt-aes256gcm-v1.c2FsdA.bm9uY2U." + uuid.uuid4().hex * 2
    return licensing.SigningKey(
        kid=uuid.uuid4().hex, public_key="cHVibGlj", encrypted_private_key=sealed
    ), [sealed]


ROWS = {
    "notify endpoint": ("notify", _endpoint),
    "catalog api key": ("catalog", _catalog_api_key),
    "licensing known api key": ("licensing", _known_api_key(licensing.KnownApiKey)),
    "notify known api key": ("notify", _known_api_key(notify.KnownApiKey)),
    "licensing signing key": ("licensing", _signing_key),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, monkeypatch):
    monkeypatch.setenv("IPMARKET_WEBHOOK_KEY_SECRET", "a secret long enough to be accepted")

    def make(service: str) -> str:
        if request.param == "postgresql":
            return request.getfixturevalue("make_database")(service)
        url = f"sqlite:///{tmp_path / service}.db"
        upgrade(service, url)
        return url

    return make


@pytest.mark.parametrize("kind", ROWS)
def test_a_failing_write_logs_no_secret(kind, database, caplog):
    service, make_row = ROWS[kind]
    caplog.set_level(logging.INFO)  # SQLAlchemy's statement log included
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    engine = create_engine(database(service))
    row, secrets = make_row()
    # The row written twice: the copy (same key, same secret) fails, or the first write already
    # does (the API key's organisation does not exist).
    values = {
        c.key: getattr(row, c.key)
        for c in sa.inspect(type(row)).column_attrs
        if getattr(row, c.key) is not None
    }
    try:
        with pytest.raises(sa.exc.DBAPIError) as failure:
            for _ in range(2):
                with session_factory(engine)() as session, session.begin():
                    session.add(type(row)(**values))
        logging.getLogger("ipmarket.test").exception("the write failed")
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
        engine.dispose()
    for secret in secrets:
        assert secret not in str(failure.value)
        assert secret not in caplog.text
    assert "hidden" in str(failure.value)
