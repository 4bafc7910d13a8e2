"""The routes read so far in one transaction, kept for the rest of it.

A consumer handles a batch of events in one transaction; the events of a busy deal go to the
same organisations, and reading their contacts, preferences and endpoints once per batch
instead of once per event halves the statements. A directory event in the batch clears them
(`forget`); preferences and endpoints changed through the API meanwhile apply from the next
batch, as if the batch had been handled a moment earlier.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.notify.domain.routing import Route


class RoutesOfTransaction:
    """(recipients, event type) → routes, valid while the session's transaction lasts. One per
    consumer (its handlers share it); a new transaction starts it empty."""

    def __init__(self):
        self._kept: tuple[object, dict[tuple, list[Route]]] = (None, {})

    def of(self, session: Session) -> dict[tuple, list[Route]]:
        transaction, routes = self._kept
        if transaction is not session.get_transaction():
            routes = {}
            self._kept = (session.get_transaction(), routes)
        return routes

    def forget(self) -> None:
        self._kept = (None, {})
