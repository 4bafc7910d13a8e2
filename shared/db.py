"""Database engines, the declarative base of each service, and the unit of work.

Each service owns one database (its own URL) and its own metadata; nothing here reads another
service's tables. SQLite is the zero-setup default; PostgreSQL is the production database.
"""
from __future__ import annotations

import functools
import itertools
import logging
import threading
import time
import uuid
import weakref
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware datetimes in and out, on SQLite (which drops the zone) as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime stored; use an aware UTC datetime")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class JSONDocument(sa.types.TypeDecorator):
    """JSON on SQLite, JSONB on PostgreSQL."""

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(sa.JSON())


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_base() -> type[DeclarativeBase]:
    """A fresh declarative base: one per service, so that metadata never mixes."""

    class Base(DeclarativeBase):
        metadata = sa.MetaData(naming_convention=NAMING)
        type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime, dict: JSONDocument,
                                               list: JSONDocument}

    return Base


# No statement waits for ever: a connection attempt gives up after CONNECT_TIMEOUT_SECONDS, and
# a statement (or, on SQLite, the wait for another writer's lock) after STATEMENT_TIMEOUT_SECONDS.
CONNECT_TIMEOUT_SECONDS = 5
STATEMENT_TIMEOUT_SECONDS = 30


def create_engine(url: str, **kwargs) -> sa.Engine:
    """An engine whose log lines and errors never show a statement's parameters: they carry
    webhook secrets, key hashes and signing keys (hide_parameters)."""
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
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
        **kwargs.get("connect_args", {})}
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
        cparams = {**cparams, "connect_timeout": timeout,
                   "options": f"-c statement_timeout={timeout * 1000}"}
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


def session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def without_transaction(session: Session) -> None:
    """On PostgreSQL, run each of `session`'s statements on its own (autocommit): a request
    that only reads, and copes with rows changing between its statements, saves the BEGIN and
    ROLLBACK round trips. SQLite keeps its transaction (see create_engine)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


# --- rows written at commit -------------------------------------------------------------------
# Outbox messages and audit entries are only ever inserted, never read back in the transaction
# that writes them. Tracking each as an ORM object costs more CPU than the rest of a typical
# request, so they are queued on the session and written at commit (on PostgreSQL in one
# statement for all tables, see one_insert), in the same transaction as everything else. The
# same serves new rows that a hot path builds as ORM objects but never reads back from the
# database (`row_of`).

_PENDING_ROWS = "shared.db.pending_rows"


def insert_at_commit(session: Session, table: sa.Table, row: dict) -> None:
    """Write `row` into `table` when `session` commits (dropped if it rolls back)."""
    if not session.in_transaction():
        session.connection()  # begins the transaction, whose end (commit or not) takes the rows
    session.info.setdefault(_PENDING_ROWS, {}).setdefault(table, []).append(row)


def row_of(new_object) -> dict:
    """The column values set on a new (transient) ORM object, as a row for insert_at_commit;
    columns left unset take their defaults."""
    state = sa.inspect(new_object)
    return {attr.key: state.dict[attr.key] for attr in state.mapper.column_attrs
            if attr.key in state.dict}


@event.listens_for(Session, "before_commit")
def _write_pending_rows(session: Session) -> None:
    pending = session.info.pop(_PENDING_ROWS, {})
    if not pending:
        return
    channels = _wake_channels(tuple(pending))
    if channels:
        session.info[_WAKE_AFTER_COMMIT] = channels
    connection = session.connection()  # plain Core: nothing here for the ORM to track
    if connection.dialect.name == "postgresql" and _param_count(pending) <= MAX_PARAMS:
        import psycopg  # PostgreSQL's driver, not needed on SQLite

        sql, params = one_insert(connection.dialect, pending)  # with its NOTIFYs
        driver = connection.connection.driver_connection
        # A raw cursor takes PostgreSQL's own $n placeholders: psycopg need not parse a long
        # statement with many parameters (it caches that work only for short ones).
        factory, driver.cursor_factory = driver.cursor_factory, psycopg.RawCursor
        try:
            connection.exec_driver_sql(sql, params)
        finally:
            driver.cursor_factory = factory
    else:
        for table, rows in pending.items():
            insert_rows(connection, table, rows)
        if connection.dialect.name == "postgresql":
            for channel in channels:
                connection.exec_driver_sql(f"NOTIFY {channel}")


def insert_ignoring_duplicates(session: Session, table: sa.Table):
    """INSERT … ON CONFLICT DO NOTHING, on PostgreSQL as on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


def insert_rows(connection: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    """INSERT `rows` in one statement. On PostgreSQL, rows that set the same columns go as one
    array per column (INSERT … SELECT FROM unnest(…)): the statement's text is the same however
    many rows, so psycopg converts it once (it re-parses any text over 4 KB every time, which a
    VALUES list of a few dozen rows is) and PostgreSQL prepares it."""
    if not rows:
        return  # (an empty list would insert one row of defaults)
    columns = list(rows[0])
    if (len(rows) < 2 or connection.dialect.name != "postgresql"
            or any(row.keys() != rows[0].keys() for row in rows)):
        connection.execute(table.insert(), rows)
        return
    arrays = sa.func.unnest(*(
        sa.bindparam(name, [row[name] for row in rows], type_=ARRAY(table.c[name].type))
        for name in columns)).table_valued(*columns, with_ordinality="n").render_derived()
    # In the rows' order, as a serial key (the outbox's seq) must number them.
    connection.execute(table.insert().from_select(
        columns, sa.select(*(arrays.c[name] for name in columns)).order_by(arrays.c.n)))


# On PostgreSQL all the rows go in ONE statement (INSERTs joined as data-modifying WITH
# clauses): one round trip instead of one per table, and its SQL is built once per shape (which
# tables, which columns, how many rows) instead of compiled by SQLAlchemy at every commit.
MAX_PARAMS = 30_000  # well under PostgreSQL's 65,535 parameters per statement


def _param_count(pending: dict[sa.Table, list[dict]]) -> int:
    return sum(len(row) for rows in pending.values() for row in rows)


def one_insert(dialect, pending: dict[sa.Table, list[dict]]) -> tuple[str, tuple]:
    """(SQL with $n placeholders, parameters) of one statement that inserts every row of
    `pending`, each table's rows in the order given (so that serial keys such as the outbox's
    seq follow it). Values go through the columns' types (aware UTC datetimes, JSONB); an unset
    column takes its default."""
    shape = tuple((table, tuple(tuple(row) for row in rows)) for table, rows in pending.items())
    sql, makers = _insert_plan(dialect, shape)
    params = []
    for rows, make in zip(pending.values(), makers):
        for row in rows:
            params.extend(make(row))
    return sql, tuple(params)


@functools.lru_cache(maxsize=128)  # shapes seen: few on a hot path
def _insert_plan(dialect, shape: tuple) -> tuple[str, list]:
    """The SQL of `shape` and, per table, a function row → its parameters in column order."""
    quote = dialect.identifier_preparer
    inserts, makers = [], []
    placeholders = (f"${n}" for n in itertools.count(1))
    for table, row_keys in shape:
        keys = list(dict.fromkeys(k for keys in row_keys for k in keys))  # in first-seen order
        keys += [c.key for c in table.columns
                 if c.key not in keys and _python_default(c) is not None]
        columns = [table.c[k] for k in keys]
        values = ", ".join(
            "(" + ", ".join(next(placeholders) if k in row or _python_default(c) is not None
                            else "DEFAULT" for k, c in zip(keys, columns)) + ")"
            for row in map(set, row_keys))
        inserts.append(f"INSERT INTO {quote.format_table(table)} "
                       f"({', '.join(quote.format_column(c) for c in columns)}) VALUES {values}")
        makers.append(_row_parameters(dialect, columns))
    channels = _wake_channels(tuple(table for table, _ in shape))
    if channels:  # every INSERT a WITH clause (each runs once); the statement NOTIFYs
        with_clauses = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(inserts))
        notifies = ", ".join(f"pg_notify('{channel}', '')" for channel in channels)
        return f"WITH {with_clauses} SELECT {notifies}", makers
    *firsts, last = inserts
    with_clauses = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(firsts))
    return (f"WITH {with_clauses} {last}" if firsts else last), makers


def _row_parameters(dialect, columns: list[sa.Column]):
    """row → the parameters of its $n placeholders (the DEFAULT ones take none)."""
    fields = [(c.key, c.type.dialect_impl(dialect).bind_processor(dialect), _python_default(c))
              for c in columns]

    def parameters(row: dict) -> list:
        out = []
        for key, process, default in fields:
            if key in row:
                value = row[key]
            elif default is not None:
                value = default()
            else:
                continue  # DEFAULT in the SQL
            out.append(process(value) if process is not None else value)
        return out

    return parameters


def _python_default(column: sa.Column):
    """A no-argument function giving the column's Python-side default, or None."""
    default = column.default
    if default is None or default.is_sequence or default.is_clause_element:
        return None
    if default.is_callable:
        return lambda: default.arg(None)  # SQLAlchemy wraps a plain function to take a context
    return lambda: default.arg


@event.listens_for(Session, "after_transaction_end")
def _drop_pending_rows(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back or closed: the rows go with it
        session.info.pop(_PENDING_ROWS, None)
        session.info.pop(_WAKE_AFTER_COMMIT, None)


# --- waking readers at commit -----------------------------------------------------------------
# A table whose `info` names a WAKE_CHANNEL wakes whoever reads it when a commit inserts rows
# into it with insert_at_commit (the outbox wakes its relays): on PostgreSQL by NOTIFY, which
# the database delivers at commit to every LISTEN on the channel (see listen), and in this
# process by setting each wake_event of the channel. Readers poll as well, more slowly: a row
# written otherwise, or a notification missed while reconnecting, waits for the next look.

WAKE_CHANNEL = "wake_channel"
_WAKE_AFTER_COMMIT = "shared.db.wake_after_commit"
_wake_events: dict[str, weakref.WeakSet] = defaultdict(weakref.WeakSet)
_wake_lock = threading.Lock()


def _wake_channels(tables: tuple[sa.Table, ...]) -> tuple[str, ...]:
    return tuple(sorted({t.info[WAKE_CHANNEL] for t in tables if WAKE_CHANNEL in t.info}))


def wake_event(channel: str) -> threading.Event:
    """An event set whenever this process commits rows into a table of `channel`."""
    event = threading.Event()
    with _wake_lock:
        _wake_events[channel].add(event)
    return event


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    for channel in session.info.pop(_WAKE_AFTER_COMMIT, ()):
        with _wake_lock:
            events = list(_wake_events[channel])
        for woken in events:
            woken.set()


def listen(engine: sa.Engine, channel: str, wake: threading.Event, stop: threading.Event, *,
           listening: threading.Event | None = None, who: str = "listener") -> None:
    """Until `stop`, set `wake` whenever a transaction that NOTIFYs `channel` commits on
    `engine`'s PostgreSQL database (and once each time the LISTEN begins: what committed before
    was not announced to it). `listening` is set while the LISTEN holds. On a connection of its
    own, outside the pool, since it listens for good; after a failure it connects again."""
    import psycopg  # PostgreSQL's driver, not needed on SQLite

    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    while not stop.is_set():
        try:
            with psycopg.connect(url, autocommit=True,
                                 connect_timeout=CONNECT_TIMEOUT_SECONDS) as connection:
                connection.execute(f"LISTEN {channel}")
                if listening is not None:
                    listening.set()
                wake.set()
                while not stop.is_set():
                    for _ in connection.notifies(timeout=1.0):
                        wake.set()
        except psycopg.Error as exc:  # database restarting: the polls go on meanwhile
            log.warning("%s: not listening on %s: %s", who, channel, exc)
            if listening is not None:
                listening.clear()
            stop.wait(1.0)
    if listening is not None:
        listening.clear()
