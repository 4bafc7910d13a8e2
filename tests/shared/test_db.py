"""insert_at_commit: append-only rows written with the transaction's commit, on real
PostgreSQL (the catalog's outbox table serves as the append-only table)."""
from __future__ import annotations

import sqlalchemy as sa

from services.catalog.app import build_context
from shared.db import insert_at_commit, new_id, utcnow


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
