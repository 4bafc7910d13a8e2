"""On real PostgreSQL: insert_at_commit (rows written with the transaction's commit; the
catalog's outbox table serves as the append-only table) and the ping of idle connections."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from services.catalog.app import build_context
from shared.db import bulk_insert
from shared.db import engine as engine_module
from shared.db.engine import create_engine
from shared.db.schema import new_id, utcnow
from shared.db.session import insert_at_commit
from tests.support import wait_until


def outbox_row(aggregate_id: str) -> dict:
    return {
        "event_id": new_id(),
        "stream": "catalog",
        "event_type": "test.v1",
        "aggregate_id": aggregate_id,
        "payload": "{}",
        "created_at": utcnow(),
    }


def aggregates(context) -> list[str]:
    outbox = context.outbox_model.__table__
    with context.engine.connect() as conn:
        return list(conn.execute(sa.select(outbox.c.aggregate_id).order_by(outbox.c.seq)).scalars())


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


def test_a_connection_lost_while_idle_is_replaced_before_use(
    postgres, postgres_admin_engine, monkeypatch
):
    """Pooled connections idle for PING_IDLE_SECONDS are pinged at checkout; one whose server
    process is gone is replaced, and the caller never sees the error. (With 0 s, every
    connection counts as idle: no waiting for the time to pass.)"""
    monkeypatch.setattr(engine_module, "PING_IDLE_SECONDS", 0)
    engine = create_engine(postgres.get_uri(), pool_size=1, max_overflow=0)
    with engine.connect() as conn:
        first_pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    with postgres_admin_engine.connect() as admin:
        admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})
        wait_until(
            lambda: (
                admin.execute(
                    sa.text(  # the server process is gone
                        "SELECT 1 FROM pg_stat_activity WHERE pid = :pid"
                    ),
                    {"pid": first_pid},
                ).first()
                is None
            ),
            timeout=10,
            what="the terminated backend to exit",
        )
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


def test_many_rows_go_in_one_statement_of_the_same_text_with_their_types_and_order(platform_env):
    from services.notify.app import build_context as notify_context
    from services.notify.models import Notice

    context = notify_context()
    notice, statements = Notice.__table__, []

    def note(_connection, _cursor, statement, *_):
        statements.append(statement)

    def rows(prefix: str, count: int) -> list[dict]:
        return [
            {
                "event_id": f"{prefix}-{n}",
                "event_type": "ipmarket.license.issued.v1",
                "occurred_at": utcnow(),
                "data": {"n": n, "name": "芯禾", "none": None},
            }
            for n in range(count)
        ]

    written = rows("two", 2) + rows("forty", 40)
    sa.event.listen(context.engine, "before_cursor_execute", note)
    with context.engine.begin() as connection:
        bulk_insert.insert_rows(connection, notice, written[:2])
        bulk_insert.insert_rows(connection, notice, written[2:])
    sa.event.remove(context.engine, "before_cursor_execute", note)
    assert len(statements) == 2 and statements[0] == statements[1]
    with context.engine.connect() as connection:
        read = [row._asdict() for row in connection.execute(sa.select(notice))]
    assert read == written  # in the order given, datetimes aware, JSON as it was


def test_rows_of_several_tables_go_in_one_statement_with_their_types(platform_env):
    """On PostgreSQL the rows of every table are one INSERT … WITH statement: aware UTC
    datetimes, JSONB documents (JSON null included), Python-side defaults for unset columns and
    serial keys in the order the rows were queued, and still nothing after a rollback."""
    from services.licensing.app import build_context as licensing_context
    from services.licensing.models import AuditEntry, OutboxMessage

    context = licensing_context()
    audit, outbox = AuditEntry.__table__, OutboxMessage.__table__
    hong_kong = timezone(timedelta(hours=8))
    at = datetime(2026, 1, 2, 11, 30, tzinfo=hong_kong)
    statements = []
    sa.event.listen(
        context.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
    )
    with context.session_factory() as session:
        for n in range(3):
            insert_at_commit(
                session,
                audit,
                {
                    "at": at,
                    "actor_id": None,
                    "actor_role": "system",
                    "action": f"test.{n}",
                    "subject_type": "test",
                    "subject_id": str(n),
                    "details": {"n": n, "名": "甲"},
                },
            )
        insert_at_commit(
            session,
            outbox,
            {
                "event_id": new_id(),
                "stream": "licensing",
                "event_type": "test.v1",
                "aggregate_id": "a",
                "payload": "{}",
            },
        )  # created_at: its default
        insert_at_commit(
            session,
            audit,
            {
                "actor_role": "system",
                "action": "test.null",
                "subject_type": "test",
                "subject_id": "3",
                "details": None,
            },
        )  # `at` unset: utcnow()
        session.commit()
    assert len(statements) == 1 and statements[0].startswith("WITH")
    with context.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                audit.c.action, audit.c.at, audit.c.details, sa.func.jsonb_typeof(audit.c.details)
            ).order_by(audit.c.seq)
        ).all()
        created_at = conn.execute(sa.select(outbox.c.created_at)).scalar_one()
    assert [r.action for r in rows] == ["test.0", "test.1", "test.2", "test.null"]
    assert rows[0].at == at and rows[0].at.tzinfo is not None
    assert rows[1].details == {"n": 1, "名": "甲"} and rows[1][3] == "object"
    assert rows[3][3] == "null" and abs(rows[3].at - utcnow()) < timedelta(minutes=1)
    assert abs(created_at - utcnow()) < timedelta(minutes=1)

    with context.session_factory() as session:  # dropped with a rollback, as on SQLite
        insert_at_commit(
            session,
            audit,
            {
                "at": at,
                "actor_role": "system",
                "action": "gone",
                "subject_type": "test",
                "subject_id": "4",
                "details": {},
            },
        )
        session.rollback()
        session.commit()
    with context.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(audit)).scalar() == 4
    context.engine.dispose()


def test_a_unique_violation_at_commit_is_sqlalchemys_integrity_error_and_writes_nothing(
    platform_env,
):
    """Idempotency-Key relies on it: a duplicate fails the commit as sa.exc.IntegrityError and
    none of the statement's rows (of any table) are kept."""
    from services.licensing.app import build_context as licensing_context
    from services.licensing.models import AuditEntry, OutboxMessage

    context = licensing_context()
    audit, outbox = AuditEntry.__table__, OutboxMessage.__table__
    event_id = new_id()
    row = {
        "event_id": event_id,
        "stream": "licensing",
        "event_type": "test.v1",
        "aggregate_id": "a",
        "payload": "{}",
    }
    with context.session_factory() as session, session.begin():
        insert_at_commit(session, outbox, row)
    with pytest.raises(sa.exc.IntegrityError), context.session_factory() as session:
        insert_at_commit(
            session,
            audit,
            {
                "at": utcnow(),
                "actor_role": "system",
                "action": "lost",
                "subject_type": "test",
                "subject_id": "1",
                "details": {},
            },
        )
        insert_at_commit(session, outbox, {**row, "aggregate_id": "b"})
        session.commit()
    with context.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(audit)).scalar() == 0
        assert conn.execute(sa.select(outbox.c.aggregate_id)).scalars().all() == ["a"]
    context.engine.dispose()
