"""Statement shapes for batches of rows by key, used by claims and records.

On PostgreSQL `column = ANY(array)` is one statement text whatever the number of values, so
that neither SQLAlchemy nor psycopg renders and parses it anew for each batch size, and
PostgreSQL runs it as a prepared statement; elsewhere a plain IN list.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def is_any_of(session: Session, column, values) -> sa.ColumnElement[bool]:
    """`column IN values`, as one statement text per column on PostgreSQL."""
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(list(values))
    return column == sa.any_(sa.bindparam(None, list(values), type_=ARRAY(column.type)))


def objects_by_key(session: Session, model, column, keys: set) -> dict:
    """ORM objects of `model` whose `column` is among `keys`, by that key (to change them)."""
    if not keys:
        return {}
    return {
        getattr(row, column.key): row
        for row in session.scalars(sa.select(model).where(is_any_of(session, column, keys)))
    }


def rows_by_key(session: Session, column: sa.Column, keys: set) -> dict:
    """Plain rows of `column`'s table by `column`: for reading, lighter than ORM objects."""
    if not keys:
        return {}
    if session.get_bind().dialect.name != "postgresql":
        query = sa.select(column.table).where(column.in_(list(keys)))
        return {getattr(row, column.key): row for row in session.execute(query)}
    found = session.execute(_rows_by_key_statement(column), {"keys": list(keys)})
    return {getattr(row, column.key): row for row in found}


@functools.cache
def _rows_by_key_statement(column: sa.Column) -> sa.Select:
    """Built once per column, not per batch: building the SELECT of a whole table and its cache
    key cost more CPU than reading a claim's rows."""
    return sa.select(column.table).where(
        column == sa.any_(sa.bindparam("keys", type_=ARRAY(column.type)))
    )
