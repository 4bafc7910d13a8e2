"""The catalog's parties, registered through the use cases into records in memory."""

from __future__ import annotations

import pytest

from services.catalog import organisations, vendor_names
from tests.unit.services.catalog.fakes import OPERATOR, FakeWork, principal


@pytest.fixture
def work() -> FakeWork:
    return FakeWork()


def register(work, name="Xinyuan Micro", country="CN", roles=("vendor",)):
    return organisations.register_organisation(
        work, legal_name_en=name, country=country, roles=list(roles)
    )


@pytest.fixture
def vendor(work):
    """A vendor organisation with example.com confirmed as its VLNV vendor name."""
    org = register(work)
    claim = vendor_names.claim_name(work, OPERATOR, org.id, "example.com")
    vendor_names.decide(work, OPERATOR, claim.id, "confirmed")
    work.published.clear()
    return principal(org.id, "vendor")
