"""Database engines: each service owns one database (its own URL) and its own metadata; nothing
here reads another service's tables. SQLite is the zero-setup default; PostgreSQL is the
production database. No statement waits for ever; idle pooled connections are pinged.
"""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from sqlalchemy import event

log = logging.getLogger(__name__)


# No statement waits for ever: a connection attempt gives up after CONNECT_TIMEOUT_SECONDS, and
# a statement (or, on SQLite, the wait for another writer's lock) after STATEMENT_TIMEOUT_SECONDS.
CONNECT_TIMEOUT_SECONDS = 5
STATEMENT_TIMEOUT_SECONDS = 30


def create_engine(url: str, **kwargs) -> sa.Engine:
    """An engine whose log lines and errors never show a statement's parameters: they carry
    webhook secrets, key hashes and signing keys (hide_parameters)."""
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("sqlite"):
        # How long a transaction waits for another's write lock: `?timeout=<seconds>` in the
        # URL, else STATEMENT_TIMEOUT_SECONDS.
        busy_timeout = float(sa.make_url(url).query.get("timeout", STATEMENT_TIMEOUT_SECONDS))
        engine = sa.create_engine(url, connect_args={"timeout": busy_timeout}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # WAL lets the API read while a relay or consumer writes; foreign keys are off by
            # default in SQLite.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # Take the write lock at BEGIN so that read-then-write transactions serialise instead
            # of failing with "database is locked" half way.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs["connect_args"] = {
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "options": f"-c statement_timeout={STATEMENT_TIMEOUT_SECONDS * 1000}",
        **kwargs.get("connect_args", {}),
    }
    engine = sa.create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine)
    # Several rows in one INSERT … VALUES (…), (…) statement (as SQLAlchemy does for psycopg2),
    # not psycopg's pipelined executemany: fewer round trips for the few rows a request writes.
    engine.dialect.use_insertmanyvalues_wo_returning = True
    return engine


READY_TIMEOUT_SECONDS = 2


def check_database(engine: sa.Engine, timeout: int = READY_TIMEOUT_SECONDS) -> None:
    """Raise unless `engine`'s database answers within about `timeout` seconds (at least 2: the
    shortest connect timeout libpq honours). On a fresh connection, outside the pool: a pooled
    one to a paused server would wait for its answer as long as the pause lasts, and a new one is
    what a request needs when the pool has none to spare."""
    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    if engine.dialect.name == "postgresql":
        cparams = {
            **cparams,
            "connect_timeout": timeout,
            "options": f"-c statement_timeout={timeout * 1000}",
        }
        query = "SELECT 1"
    else:  # reading the schema needs no lock in WAL mode; the timeout bounds a recovery
        cparams = {**cparams, "timeout": timeout}
        query = "SELECT count(*) FROM sqlite_master"
    connection = engine.dialect.connect(*cargs, **cparams)
    try:
        cursor = connection.cursor()
        cursor.execute(query)
        cursor.fetchall()
    finally:
        connection.close()


PING_IDLE_SECONDS = 1.0  # a pooled connection unused this long is checked before use


def _ping_when_idle(engine: sa.Engine) -> None:
    """pool_pre_ping, only for connections that sat idle: one in use a moment ago has just
    answered, and a ping before every checkout is a round trip more per request. (A connection
    lost while busy fails its request, and SQLAlchemy then replaces the whole pool.)"""

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _idle_from_now(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("idle_since", 0) < PING_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool discards this connection and checks out a fresh one instead.
            raise sa.exc.DisconnectionError(str(exc)) from exc
