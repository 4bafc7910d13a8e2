"""The services' Session: SQLAlchemy's, plus rows written at commit.

Outbox messages and audit entries are only ever inserted, never read back in the transaction
that writes them. Tracking each as an ORM object costs more CPU than the rest of a typical
request, so they are queued on the session and written at commit (on PostgreSQL in one
statement for all tables, see shared.db.bulk_insert.one_insert), in the same transaction as
everything else. The same serves new rows that a hot path builds as ORM objects but never reads
back from the database (`row_of`).

Guarantee: what is written is a frozen snapshot taken when the row was queued. A row is copied
when queued (a later change to the caller's dict changes nothing), and a snapshot of an object
(`row_of`) is checked at commit: if one of the object's columns was set again after the
snapshot was taken, the commit fails (ChangedAfterSnapshot) instead of losing the change.
The rows and the channels to wake are attributes of the Session object (declared here), not
entries in `session.info`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy import event, orm
from sqlalchemy.orm import SessionTransaction, sessionmaker

from shared.db.bulk_insert import MAX_PARAMS, insert_rows, one_insert, param_count
from shared.db.wake import wake_channels, wake_in_process


class ChangedAfterSnapshot(RuntimeError):
    """An object was changed after its row was queued for insert at commit."""


class RowSnapshot(dict):
    """A row queued for insert at commit: a copy of the values, never changed afterwards.
    `source`: the new ORM object it was taken from (row_of), checked again at commit."""

    __slots__ = ("source",)

    def __init__(self, values: Mapping, source=None):
        super().__init__(values)
        self.source = source

    def _refuse(self, *args, **kwargs):
        raise TypeError("a row queued for insert at commit is a snapshot; it cannot change")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _refuse  # type: ignore[assignment]

    def __ior__(self, other):
        self._refuse()

    def check_source_unchanged(self) -> None:
        if self.source is not None and not _same_values(self.source, self):
            now = _column_values(self.source)
            changed = sorted(
                k
                for k in now.keys() | self.keys()
                if k not in now or k not in self or now[k] is not self[k]
            )
            raise ChangedAfterSnapshot(
                f"{type(self.source).__name__} changed after row_of() queued it for insert at "
                f"commit ({', '.join(changed)}): take the snapshot after the last change"
            )


@functools.cache  # mappers live as long as the process; walking column_attrs per row cost
def _column_keys(mapper: orm.Mapper) -> tuple[str, ...]:  # more than the row's insert
    return tuple(attr.key for attr in mapper.column_attrs)


def _column_values(new_object) -> dict:
    state = orm.attributes.instance_state(new_object)
    values = state.dict
    return {key: values[key] for key in _column_keys(state.mapper) if key in values}


def _same_values(new_object, snapshot: Mapping) -> bool:
    """Whether the object's columns are still exactly (`is`) the snapshot's."""
    state = orm.attributes.instance_state(new_object)
    values = state.dict
    for key in _column_keys(state.mapper):
        if key in values:
            if key not in snapshot or values[key] is not snapshot[key]:
                return False
        elif key in snapshot:
            return False
    return True


def row_of(new_object) -> RowSnapshot:
    """A snapshot of the column values set on a new (transient) ORM object, as a row for
    insert_at_commit; columns left unset take their defaults. The object must not change
    afterwards: the commit checks that it did not (ChangedAfterSnapshot)."""
    return RowSnapshot(_column_values(new_object), new_object)


class Session(orm.Session):
    """SQLAlchemy's Session with `insert_at_commit`. The queued rows and the channels to wake
    live on the session and end with its transaction (committed or rolled back)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows_at_commit: dict[sa.Table, list[RowSnapshot]] = {}
        self.wake_after_commit: tuple[str, ...] = ()

    def insert_at_commit(self, table: sa.Table, row: Mapping) -> None:
        """Write `row` into `table` when this session commits (dropped if it rolls back). The
        row is copied now (a RowSnapshot is kept as it is)."""
        if not self.in_transaction():
            self.connection()  # begins the transaction, whose end (commit or not) takes the rows
        snapshot = row if type(row) is RowSnapshot else RowSnapshot(row)
        self.rows_at_commit.setdefault(table, []).append(snapshot)


def insert_at_commit(session: Session, table: sa.Table, row: Mapping) -> None:
    """`session.insert_at_commit(table, row)`, for callers that hold a session."""
    session.insert_at_commit(table, row)


def session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, class_=Session, expire_on_commit=False)


def without_transaction(session: orm.Session) -> None:
    """On PostgreSQL, run each of `session`'s statements on its own (autocommit): a request
    that only reads, and copes with rows changing between its statements, saves the BEGIN and
    ROLLBACK round trips. SQLite keeps its transaction (see create_engine)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@event.listens_for(Session, "before_commit")
def _write_pending_rows(session: Session) -> None:
    pending, session.rows_at_commit = session.rows_at_commit, {}
    if not pending:
        return
    for rows in pending.values():
        for row in rows:
            row.check_source_unchanged()
    channels = wake_channels(tuple(pending))
    session.wake_after_commit = channels
    connection = session.connection()  # plain Core: nothing here for the ORM to track
    if connection.dialect.name == "postgresql" and param_count(pending) <= MAX_PARAMS:
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


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    channels, session.wake_after_commit = session.wake_after_commit, ()
    wake_in_process(channels)


@event.listens_for(Session, "after_transaction_end")
def _drop_pending_rows(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back or closed: the rows go with it
        session.rows_at_commit = {}
        session.wake_after_commit = ()
