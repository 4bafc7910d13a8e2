"""What a catalog use case needs of a unit of work: the catalog's records and publishing an
event with them (in the same transaction: the outbox). The service's shared UnitOfWork is
adapted once per use case; a unit test passes its own CatalogWork with records in memory."""

from __future__ import annotations

from services.catalog.records import SqlRecords
from shared.messaging.unit_of_work import UnitOfWork


class CatalogWork:
    records: SqlRecords

    def publish(self, event_type: str, subject: str, data: dict) -> None:
        raise NotImplementedError


class SqlCatalogWork(CatalogWork):
    def __init__(self, uow: UnitOfWork):
        self._uow = uow
        self.records = SqlRecords(uow.session)

    def publish(self, event_type: str, subject: str, data: dict) -> None:
        self._uow.publish(event_type, subject, data)


def catalog_work(uow: UnitOfWork | CatalogWork) -> CatalogWork:
    """The catalog's view of a unit of work (the CLI, the demo and other services' tests pass
    the shared UnitOfWork; a unit test its own)."""
    return uow if isinstance(uow, CatalogWork) else SqlCatalogWork(uow)
