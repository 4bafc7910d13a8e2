"""The catalog's rows as its use cases read and write them: one class per way of keeping them.
`SqlRecords` keeps them in the unit of work's SQLAlchemy session; a unit test keeps them in
memory (tests/unit/services/catalog/fakes.py) behind the same methods."""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.catalog.models import ApiKey, Core, Organisation, VendorNameClaim
from services.catalog.people_records import SqlPeopleRecords
from services.catalog.search.statements import SUMMARIES


class CoreStamp(NamedTuple):
    """Which state of a core is current, and who may see it: a few columns, read without the
    core's large JSON (its ports, memory maps, offers…). `version` counts every change made
    through the ORM and `updated_at` every UPDATE, so equal stamps mean an unchanged core."""

    id: str
    vendor_id: str
    status: str
    vlnv_version: str
    version: int
    updated_at: object  # datetime; as the database gives it back


STAMP_COLUMNS = (
    Core.id,
    Core.vendor_id,
    Core.status,
    Core.vlnv_version,
    Core.version,
    Core.updated_at,
)


# Built once: building a statement (an aliased entity most of all) cost more than running it.
CORE_STAMP = sa.select(*STAMP_COLUMNS).where(Core.id == sa.bindparam("core_id"))
_LINE = sa.orm.aliased(Core, name="line")
LINE_STAMPS = (
    sa.select(*(getattr(_LINE, column.key) for column in STAMP_COLUMNS))
    .join(
        Core,
        sa.and_(
            _LINE.vlnv_vendor == Core.vlnv_vendor,
            _LINE.vlnv_library == Core.vlnv_library,
            _LINE.vlnv_name == Core.vlnv_name,
        ),
    )
    .where(Core.id == sa.bindparam("core_id"))
)


def stamp_of(core: Core) -> CoreStamp:
    return CoreStamp(*(getattr(core, column.key) for column in STAMP_COLUMNS))


class AlreadyRecorded(Exception):
    """A unique constraint refused the rows: another request recorded the same meanwhile."""


class SqlRecords(SqlPeopleRecords):
    def __init__(self, session: Session):
        self.session = session

    # --- reading --------------------------------------------------------------------------------

    def vendors_publishing(self, category: str, limit: int) -> list[str]:
        """The organisations with a published core in `category`, at most `limit` of them."""
        found = (
            sa.select(Core.vendor_id)
            .where(Core.category == category, Core.status == "published")
            .distinct()
            .order_by(Core.vendor_id)
            .limit(limit)
        )
        return list(self.session.scalars(found))

    def organisation(self, organisation_id: str) -> Organisation | None:
        return self.session.get(Organisation, organisation_id)

    def api_key(self, key_id: str) -> ApiKey | None:
        return self.session.get(ApiKey, key_id)

    def core(self, core_id: str) -> Core | None:
        return self.session.get(Core, core_id)

    def core_stamp(self, core_id: str) -> CoreStamp | None:
        row = self.session.execute(CORE_STAMP, {"core_id": core_id}).first()
        return None if row is None else CoreStamp(*row)

    def line_stamps(self, core_id: str) -> list[CoreStamp]:
        """The stamps of every version of the core's line (vendor:library:name), its own
        included; none if there is no such core."""
        return [CoreStamp(*row) for row in self.session.execute(LINE_STAMPS, {"core_id": core_id})]

    def cores(self, core_ids: list[str], summary_only: bool = False) -> list[Core]:
        """The cores of `core_ids` that exist, in no order; with `summary_only`, only what a
        summary shows is read (search/statements.py)."""
        query = SUMMARIES if summary_only else sa.select(Core)
        return list(self.session.scalars(query.where(Core.id.in_(core_ids))))

    def versions_in_line(self, vendor: str, library: str, name: str) -> list:
        """(id, vendor_id, vlnv_version) of every version of vendor:library:name."""
        return self.session.execute(
            sa.select(Core.id, Core.vendor_id, Core.vlnv_version).where(
                Core.vlnv_vendor == vendor, Core.vlnv_library == library, Core.vlnv_name == name
            )
        ).all()

    def cores_of_vendor(self, organisation_id: str) -> list[Core]:
        return list(self.session.scalars(sa.select(Core).where(Core.vendor_id == organisation_id)))

    def claim(self, claim_id: str) -> VendorNameClaim | None:
        return self.session.get(VendorNameClaim, claim_id)

    def claim_of(self, organisation_id: str, name: str) -> VendorNameClaim | None:
        return self.session.scalar(
            sa.select(VendorNameClaim).where(
                VendorNameClaim.organisation_id == organisation_id, VendorNameClaim.name == name
            )
        )

    def confirmed_owner(self, name: str) -> str | None:
        """The organisation a VLNV vendor name is confirmed for, if any."""
        return self.session.scalar(
            sa.select(VendorNameClaim.organisation_id).where(
                VendorNameClaim.name == name, VendorNameClaim.status == "confirmed"
            )
        )

    # --- writing --------------------------------------------------------------------------------

    def add(self, row) -> None:
        self.session.add(row)

    def flush(self) -> None:
        """Write the changes now: ids, defaults and version numbers are set after it."""
        self.session.flush()

    def flush_unique(self) -> None:
        """flush(), with a unique constraint's refusal as AlreadyRecorded."""
        try:
            self.session.flush()
        except sa.exc.IntegrityError:
            raise AlreadyRecorded() from None
