"""Unit of work (cosmicpython): one transaction for the state change and the events it raises."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from shared.db.session import Session
from shared.events import Event, new_event


class UnitOfWork:
    """`with uow: …; uow.publish(...); uow.commit()` — events land in the outbox in the same
    transaction as the change, so either both are stored or neither is.

    `actor` (see shared.events.envelope.validate_actor: usually `principal.actor`) is who makes the
    change: every event published in this unit of work names them."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        outbox_model,
        stream: str,
        actor: dict | None = None,
    ):
        self._session_factory = session_factory
        self._outbox_model = outbox_model
        self.stream = stream
        self.actor = actor
        self.session: Session | None = None
        self.events: list[Event] = []

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.events = []
        return self

    def __exit__(self, *exc_info) -> None:
        self.rollback()  # a no-op after commit; undoes everything on an exception
        self.session.close()

    def publish(self, event_type: str, subject: str, data: dict) -> Event:
        """Validate the event against its schema and add it to the outbox, naming the actor."""
        event = new_event(
            event_type, f"/ipmarket/{self.stream}", subject=subject, data=data, actor=self.actor
        )
        self.session.insert_at_commit(
            self._outbox_model.__table__, self._outbox_model.row_for(self.stream, event)
        )
        self.events.append(event)
        return event

    def insert_at_commit(self, table: sa.Table, row: Mapping) -> None:
        """Write `row` (copied now; `row_of(obj)` for a new ORM object) into `table` at commit,
        in the same transaction; dropped on rollback. See shared.db.session."""
        self.session.insert_at_commit(table, row)

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
