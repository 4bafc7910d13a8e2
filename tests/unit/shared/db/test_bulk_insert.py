"""The one statement of a commit's rows on PostgreSQL, built without a server: its SQL (one
INSERT per table, joined as WITH clauses, NOTIFY for a table with a wake channel), its
parameters in order through the columns' types, and its plan built once per shape."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.bulk_insert import one_insert, param_count
from shared.db.schema import make_base
from shared.db.wake import WAKE_CHANNEL

Base = make_base()
DIALECT = PGDialect_psycopg()


class Entry(Base):
    __tablename__ = "entry"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    action: Mapped[str] = mapped_column(sa.String(32))
    at: Mapped[datetime] = mapped_column()
    details: Mapped[dict] = mapped_column(default=dict)


class Message(Base):
    __tablename__ = "message"
    __table_args__ = {"info": {WAKE_CHANNEL: "test_channel"}}

    id: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    body: Mapped[str] = mapped_column(sa.Text)


AT = datetime(2026, 12, 2, 5, 30, tzinfo=UTC)


def test_rows_of_one_table_are_one_insert_in_their_order_with_defaults():
    pending = {
        Entry.__table__: [
            {"action": "first", "at": AT},
            {"action": "second", "at": AT, "details": {"k": "v"}},
        ]
    }
    sql, params = one_insert(DIALECT, pending)
    assert sql == ("INSERT INTO entry (action, at, details) VALUES ($1, $2, $3), ($4, $5, $6)")
    assert params[0] == "first" and params[3] == "second"
    assert params[1] == AT == params[4]
    # details: the Python default {} for the first row, JSONB-encoded through the column type
    assert [type(params[2]).__name__, type(params[5]).__name__] == ["Jsonb", "Jsonb"]
    assert param_count(pending) == 5


def test_a_serial_key_left_out_takes_the_database_default():
    sql, params = one_insert(
        DIALECT, {Entry.__table__: [{"action": "a", "at": AT, "seq": 7}, {"action": "b", "at": AT}]}
    )
    assert sql == (
        "INSERT INTO entry (action, at, seq, details) "
        "VALUES ($1, $2, $3, $4), ($5, $6, DEFAULT, $7)"
    )
    assert len(params) == 7


def test_several_tables_go_in_one_statement_and_a_wake_channel_is_notified_by_it():
    sql, params = one_insert(
        DIALECT,
        {
            Entry.__table__: [{"action": "a", "at": AT, "details": {}}],
            Message.__table__: [{"id": "m1", "body": "hello"}],
        },
    )
    assert sql == (
        "WITH w0 AS (INSERT INTO entry (action, at, details) VALUES ($1, $2, $3)), "
        "w1 AS (INSERT INTO message (id, body) VALUES ($4, $5)) "
        "SELECT pg_notify('test_channel', '')"
    )
    assert params[3:] == ("m1", "hello")


def test_tables_without_a_channel_end_with_a_plain_insert():
    sql, _ = one_insert(DIALECT, {Entry.__table__: [{"action": "a", "at": AT, "details": {}}]})
    assert sql.startswith("INSERT INTO entry") and "pg_notify" not in sql


def test_the_same_shape_reuses_its_sql():
    first, _ = one_insert(DIALECT, {Message.__table__: [{"id": "a", "body": "x"}]})
    second, params = one_insert(DIALECT, {Message.__table__: [{"id": "b", "body": "y"}]})
    assert first is second  # built once, not compiled again per commit
    assert params == ("b", "y")
