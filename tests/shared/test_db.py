"""On real PostgreSQL: insert_at_commit (rows written with the transaction's commit; the
catalog's outbox table serves as the append-only table) and the ping of idle connections."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from services.catalog.app import build_context
from shared import db
from shared.db import create_engine, insert_at_commit, new_id, utcnow


def outbox_row(aggregate_id: str) -> dict:
    return {"event_id": new_id(), "stream": "catalog", "event_type": "test.v1",
            "aggregate_id": aggregate_id, "payload": "{}", "created_at": utcnow()}


def aggregates(context) -> list[str]:
    outbox = context.outbox_model.__table__
    with context.engine.connect() as conn:
        return list(conn.execute(sa.select(outbox.c.aggregate_id).order_by(outbox.c.seq))
                    .scalars())


def test_rows_are_written_at_commit_in_order_and_dropped_with_a_rollback(platform_env):
    context = build_context()
    outbox = context.outbox_model.__table__
    with context.session_factory() as session:
        insert_at_commit(session, outbox, outbox_row("rolled back"))
        session.rollback()
        insert_at_commit(session, outbox, outbox_row("first"))
        insert_at_commit(session, outbox, outbox_row("second"))
        assert aggregates(context) == []  # nothing before the commit
        session.commit()
        session.commit()  # written once
    with context.session_factory() as session:
        insert_at_commit(session, outbox, outbox_row("closed without commit"))
    with context.session_factory() as session, session.begin():
        insert_at_commit(session, outbox, outbox_row("third"))
    assert aggregates(context) == ["first", "second", "third"]
    context.engine.dispose()


def test_a_connection_lost_while_idle_is_replaced_before_use(postgres, postgres_admin_engine,
                                                             monkeypatch):
    """Pooled connections idle for PING_IDLE_SECONDS are pinged at checkout; one whose server
    process is gone is replaced, and the caller never sees the error."""
    monkeypatch.setattr(db, "PING_IDLE_SECONDS", 0.1)
    engine = create_engine(postgres.get_uri(), pool_size=1, max_overflow=0)
    with engine.connect() as conn:
        first_pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    with postgres_admin_engine.connect() as admin:
        admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})
    time.sleep(0.2)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_backend_pid()")).scalar() != first_pid
    engine.dispose()


def test_a_connection_in_use_a_moment_ago_is_not_pinged(postgres, postgres_admin_engine):
    """The other side of the bargain: a connection checked in just now is not pinged, so its
    death shows at its next use (once: the pool then drops it)."""
    engine = create_engine(postgres.get_uri(), pool_size=1, max_overflow=0)
    with engine.connect() as conn:
        pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    with postgres_admin_engine.connect() as admin:
        admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    with pytest.raises(sa.exc.OperationalError), engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_backend_pid()")).scalar() != pid
    engine.dispose()


def test_many_rows_go_in_one_statement_of_the_same_text_with_their_types_and_order(
        platform_env):
    from services.notify.app import build_context as notify_context
    from services.notify.models import Notice

    context = notify_context()
    notice, statements = Notice.__table__, []

    def note(_connection, _cursor, statement, *_):
        statements.append(statement)

    def rows(prefix: str, count: int) -> list[dict]:
        return [{"event_id": f"{prefix}-{n}", "event_type": "ipmarket.license.issued.v1",
                 "occurred_at": utcnow(), "data": {"n": n, "name": "芯禾", "none": None}}
                for n in range(count)]

    written = rows("two", 2) + rows("forty", 40)
    sa.event.listen(context.engine, "before_cursor_execute", note)
    with context.engine.begin() as connection:
        db.insert_rows(connection, notice, written[:2])
        db.insert_rows(connection, notice, written[2:])
    sa.event.remove(context.engine, "before_cursor_execute", note)
    assert len(statements) == 2 and statements[0] == statements[1]
    with context.engine.connect() as connection:
        read = [row._asdict() for row in connection.execute(sa.select(notice))]
    assert read == written  # in the order given, datetimes aware, JSON as it was
    context.engine.dispose()
