"""Pooled PostgreSQL connections: one that died while idle in the pool is replaced before use."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from shared import db


def backend_of(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def kill(admin, pid: int) -> None:
    with admin.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()


def test_a_connection_killed_while_idle_is_replaced(postgres, postgres_admin_engine, monkeypatch):
    engine = db.create_engine(postgres.get_uri(), pool_size=1)
    first = backend_of(engine)
    kill(postgres_admin_engine, first)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)  # as if it had been idle long enough
    assert backend_of(engine) != first
    engine.dispose()


def test_a_connection_in_use_a_moment_ago_is_not_pinged(postgres, postgres_admin_engine):
    # The ping is skipped for a connection just checked in: its death shows at the next use
    # (which is why the ping exists for connections that sat idle).
    engine = db.create_engine(postgres.get_uri(), pool_size=1)
    kill(postgres_admin_engine, backend_of(engine))
    with pytest.raises(sa.exc.OperationalError):
        backend_of(engine)
    assert backend_of(engine)  # the pool dropped the dead connection
    engine.dispose()
