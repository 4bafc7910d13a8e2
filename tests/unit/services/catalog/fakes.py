"""Fakes for the catalog's use cases: its records in memory, a unit of work that keeps what it
publishes, a clock that stands still and ids counted up. No database, no Kafka."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from types import SimpleNamespace

from services.catalog.models import ApiKey, Core, Organisation, VendorNameClaim
from services.catalog.records import AlreadyRecorded, stamp_of
from services.catalog.unit_of_work import CatalogWork
from shared.directory import Principal

NOW = datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)


def clock() -> datetime:
    return NOW


class Ids:
    def __init__(self, prefix: str = "id"):
        self._numbers = itertools.count(1)
        self._prefix = prefix

    def __call__(self) -> str:
        return f"{self._prefix}-{next(self._numbers)}"


class InMemoryRecords:
    """services.catalog.records.SqlRecords' methods over lists. `flush` sets what the database
    would (ids, creation times, first versions) and checks the unique constraints that matter
    to the use cases (one confirmed claim per name, one claim per organisation and name)."""

    def __init__(self):
        self.rows: list = []
        self.flushes = 0
        self._ids = Ids("row")

    def _of(self, model):
        return [row for row in self.rows if isinstance(row, model)]

    def _by_id(self, model, row_id):
        return next((row for row in self._of(model) if row.id == row_id), None)

    def organisation(self, organisation_id):
        return self._by_id(Organisation, organisation_id)

    def api_key(self, key_id):
        return self._by_id(ApiKey, key_id)

    def core(self, core_id):
        return self._by_id(Core, core_id)

    def vendors_publishing(self, category, limit):
        found = {
            c.vendor_id for c in self._of(Core) if (c.category, c.status) == (category, "published")
        }
        return sorted(found)[:limit]

    def claim(self, claim_id):
        return self._by_id(VendorNameClaim, claim_id)

    def core_stamp(self, core_id):
        core = self.core(core_id)
        return None if core is None else stamp_of(core)

    def line_stamps(self, core_id):
        core = self.core(core_id)
        if core is None:
            return []
        return [
            stamp_of(c) for c in self._line(core.vlnv_vendor, core.vlnv_library, core.vlnv_name)
        ]

    def cores(self, core_ids, summary_only=False):
        return [core for core in self._of(Core) if core.id in core_ids]

    def _line(self, vendor, library, name):
        return [
            core
            for core in self._of(Core)
            if (core.vlnv_vendor, core.vlnv_library, core.vlnv_name) == (vendor, library, name)
        ]

    def versions_in_line(self, vendor, library, name):
        return [
            SimpleNamespace(id=c.id, vendor_id=c.vendor_id, vlnv_version=c.vlnv_version)
            for c in self._line(vendor, library, name)
        ]

    def cores_of_vendor(self, organisation_id):
        return [core for core in self._of(Core) if core.vendor_id == organisation_id]

    def claim_of(self, organisation_id, name):
        return next(
            (
                c
                for c in self._of(VendorNameClaim)
                if (c.organisation_id, c.name) == (organisation_id, name)
            ),
            None,
        )

    def confirmed_owner(self, name):
        return next(
            (
                c.organisation_id
                for c in self._of(VendorNameClaim)
                if c.name == name and c.status == "confirmed"
            ),
            None,
        )

    def add(self, row):
        self.rows.append(row)

    def flush(self):
        self.flushes += 1
        for row in self.rows:
            if getattr(row, "id", "keyed otherwise") is None:
                row.id = self._ids()
            if getattr(row, "created_at", True) is None:
                row.created_at = NOW
            if getattr(row, "version", True) is None:
                row.version = 1
            if isinstance(row, VendorNameClaim) and row.status is None:
                row.status = "pending"

    def flush_unique(self):
        claims = self._of(VendorNameClaim)
        confirmed = [c.name for c in claims if c.status == "confirmed"]
        pairs = [(c.organisation_id, c.name) for c in claims]
        if len(confirmed) != len(set(confirmed)) or len(pairs) != len(set(pairs)):
            raise AlreadyRecorded()
        self.flush()


class FakeWork(CatalogWork):
    def __init__(self, records: InMemoryRecords | None = None):
        self.records = records or InMemoryRecords()
        self.published: list[tuple[str, str, dict]] = []

    def publish(self, event_type, subject, data):
        self.published.append((event_type, subject, data))

    @property
    def event_types(self) -> list[str]:
        return [event_type for event_type, _, _ in self.published]


def principal(organisation_id, *roles) -> Principal:
    return Principal(organisation_id=organisation_id, roles=frozenset(roles), key_id="key")


OPERATOR = principal("operator-org", "admin")
