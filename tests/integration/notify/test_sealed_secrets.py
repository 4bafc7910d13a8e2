"""Webhook secrets (current and previous) and endpoints' Ed25519 signing keys are stored sealed
(AES-256-GCM under IPMARKET_WEBHOOK_KEY_SECRET), never in clear; the migration seals the rows
stored before, on SQLite as on PostgreSQL."""

from __future__ import annotations

import stat
import uuid

import pytest
import sqlalchemy as sa

from services.notify import webhook_endpoints
from services.notify.app import build_context
from services.notify.domain import signatures
from services.notify.models import Endpoint
from shared.config import ConfigError
from shared.db.engine import create_engine
from shared.db.migrations import upgrade
from shared.db.session import session_factory
from shared.sealing import is_sealed

COLUMNS = ("secret", "previous_secret", "signing_key")


def stored(engine: sa.Engine, endpoint_id: str) -> dict:
    """The columns as the database holds them (no column types in between)."""
    with engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT secret, previous_secret, signing_key FROM endpoint WHERE id = :id"),
            {"id": endpoint_id},
        ).one()
    return dict(zip(COLUMNS, row))


def plain(session_maker, endpoint_id: str) -> dict:
    with session_maker() as session:
        endpoint = session.get(Endpoint, endpoint_id)
        return {c: getattr(endpoint, c) for c in COLUMNS}


def register(context) -> tuple[str, dict]:
    with context.session_factory() as session, session.begin():
        endpoint = webhook_endpoints.register_endpoint(
            session,
            str(uuid.uuid4()),
            url="http://127.0.0.1:9/hook",
            event_types=[],
            schemes=["v1", "v1a"],
        )
        webhook_endpoints.rotate_secret(endpoint)
        return endpoint.id, {c: getattr(endpoint, c) for c in COLUMNS}


def test_secrets_and_signing_keys_are_sealed_at_rest(notify_context):
    endpoint_id, secrets = register(notify_context)
    assert secrets["secret"].startswith("whsec_") and secrets["signing_key"].startswith("whsk_")
    at_rest = stored(notify_context.engine, endpoint_id)
    for column in COLUMNS:
        assert is_sealed(at_rest[column]), column
        assert secrets[column] not in at_rest[column]
        assert "whsec_" not in at_rest[column] and "whsk_" not in at_rest[column]
    assert plain(notify_context.session_factory, endpoint_id) == secrets


def test_a_wrong_or_missing_secret_stops_start_up(notify_context, monkeypatch):
    register(notify_context)
    monkeypatch.setenv("IPMARKET_WEBHOOK_KEY_SECRET", "another secret, long enough too")
    with pytest.raises(ConfigError, match="IPMARKET_WEBHOOK_KEY_SECRET.* does not open"):
        build_context()
    monkeypatch.delenv("IPMARKET_WEBHOOK_KEY_SECRET")
    with pytest.raises(ConfigError, match="IPMARKET_WEBHOOK_KEY_SECRET.* is not set"):
        build_context()


def test_zero_setup_run_generates_a_secret_in_var(monkeypatch, tmp_path):
    """`ipmarket run` (SQLite under var/, no secret set) generates one, once."""
    for name in (
        "IPMARKET_WEBHOOK_KEY_SECRET",
        "IPMARKET_WEBHOOK_KEY_SECRET_FILE",
        "IPMARKET_NOTIFY_DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IPMARKET_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("IPMARKET_WEBHOOK_ALLOW_PRIVATE", "true")
    upgrade("notify")
    endpoint_id, secrets = register(build_context())
    secret_file = tmp_path / "webhook-key.secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert is_sealed(stored(build_context().engine, endpoint_id)["secret"])
    assert plain(build_context().session_factory, endpoint_id) == secrets


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated_database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'notify.db'}"
    postgres = request.getfixturevalue("postgres")
    name = f"notify_{uuid.uuid4().hex[:12]}"
    with request.getfixturevalue("postgres_admin_engine").connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return (
        sa.make_url(create_engine(postgres.get_uri()).url)
        .set(database=name)
        .render_as_string(hide_password=False)
    )


def test_the_migration_seals_the_rows_stored_in_clear(unmigrated_database, monkeypatch):
    monkeypatch.setenv("IPMARKET_WEBHOOK_KEY_SECRET", "a secret long enough to be accepted")
    upgrade("notify", unmigrated_database, "0002")
    engine = create_engine(unmigrated_database)
    rows = {
        str(uuid.uuid4()): {
            "secret": signatures.new_secret(),
            "previous_secret": signatures.new_secret(),
            "signing_key": signatures.new_signing_key(),
        },
        str(uuid.uuid4()): {
            "secret": signatures.new_secret(),
            "previous_secret": None,
            "signing_key": None,
        },
    }
    with engine.begin() as connection:
        for endpoint_id, secrets in rows.items():
            connection.execute(
                sa.text(
                    "INSERT INTO endpoint (id, organisation_id, url, description, event_types, "
                    "schemes, secret, previous_secret, signing_key, created_at) VALUES (:id, :org, "
                    "'http://127.0.0.1:9/hook', '', '[]', '[\"v1\", \"v1a\"]', :secret, "
                    ":previous_secret, :signing_key, CURRENT_TIMESTAMP)"
                ),
                {"id": endpoint_id, "org": str(uuid.uuid4()), **secrets},
            )

    upgrade("notify", unmigrated_database)

    for endpoint_id, secrets in rows.items():
        at_rest = stored(engine, endpoint_id)
        for column in COLUMNS:
            assert (at_rest[column] is None) == (secrets[column] is None)
            assert at_rest[column] is None or is_sealed(at_rest[column])
        assert plain(session_factory(engine), endpoint_id) == secrets
    engine.dispose()
