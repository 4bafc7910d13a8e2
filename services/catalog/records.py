"""The catalog's rows as its use cases read and write them: one class per way of keeping them.
`SqlRecords` keeps them in the unit of work's SQLAlchemy session; a unit test keeps them in
memory (tests/unit/services/catalog/fakes.py) behind the same methods."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.catalog.models import ApiKey, Core, Organisation, VendorNameClaim
from services.catalog.people_records import SqlPeopleRecords


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

    def cores_in_line(self, vendor: str, library: str, name: str) -> list[Core]:
        """Every version of vendor:library:name."""
        return list(
            self.session.scalars(
                sa.select(Core).where(
                    Core.vlnv_vendor == vendor, Core.vlnv_library == library, Core.vlnv_name == name
                )
            )
        )

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
