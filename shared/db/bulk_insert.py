"""Inserting many rows cheaply: one INSERT per table with arrays per column (insert_rows), and
all the tables of a commit in ONE statement on PostgreSQL (one_insert), with its SQL built once
per shape. A performance adapter: its callers say what to insert, this module says how fast.
"""

from __future__ import annotations

import functools
import itertools

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from shared.db.wake import wake_channels


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
    if (
        len(rows) < 2
        or connection.dialect.name != "postgresql"
        or any(row.keys() != rows[0].keys() for row in rows)
    ):
        connection.execute(table.insert(), rows)
        return
    arrays = (
        sa.func.unnest(
            *(
                sa.bindparam(name, [row[name] for row in rows], type_=ARRAY(table.c[name].type))
                for name in columns
            )
        )
        .table_valued(*columns, with_ordinality="n")
        .render_derived()
    )
    # In the rows' order, as a serial key (the outbox's seq) must number them.
    connection.execute(
        table.insert().from_select(
            columns, sa.select(*(arrays.c[name] for name in columns)).order_by(arrays.c.n)
        )
    )


# On PostgreSQL all the rows go in ONE statement (INSERTs joined as data-modifying WITH
# clauses): one round trip instead of one per table, and its SQL is built once per shape (which
# tables, which columns, how many rows) instead of compiled by SQLAlchemy at every commit.
MAX_PARAMS = 30_000  # well under PostgreSQL's 65,535 parameters per statement


def param_count(pending: dict[sa.Table, list[dict]]) -> int:
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
        keys += [
            c.key for c in table.columns if c.key not in keys and _python_default(c) is not None
        ]
        columns = [table.c[k] for k in keys]
        values = ", ".join(
            "("
            + ", ".join(
                next(placeholders) if k in row or _python_default(c) is not None else "DEFAULT"
                for k, c in zip(keys, columns)
            )
            + ")"
            for row in map(set, row_keys)
        )
        inserts.append(
            f"INSERT INTO {quote.format_table(table)} "
            f"({', '.join(quote.format_column(c) for c in columns)}) VALUES {values}"
        )
        makers.append(_row_parameters(dialect, columns))
    channels = wake_channels(tuple(table for table, _ in shape))
    if channels:  # every INSERT a WITH clause (each runs once); the statement NOTIFYs
        with_clauses = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(inserts))
        notifies = ", ".join(f"pg_notify('{channel}', '')" for channel in channels)
        return f"WITH {with_clauses} SELECT {notifies}", makers
    *firsts, last = inserts
    with_clauses = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(firsts))
    return (f"WITH {with_clauses} {last}" if firsts else last), makers


def _row_parameters(dialect, columns: list[sa.Column]):
    """row → the parameters of its $n placeholders (the DEFAULT ones take none)."""
    fields = [
        (c.key, c.type.dialect_impl(dialect).bind_processor(dialect), _python_default(c))
        for c in columns
    ]

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
