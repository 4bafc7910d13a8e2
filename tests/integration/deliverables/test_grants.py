"""Grants and the export re-check as the projections hold them, fed through the service's own
handlers (the Kafka path: tests/integration/shared/test_deliverables_entitlement.py): a license
grants what its events named, kept when a later event of it does not say; the vendor restricting
the licensee's destination since stops downloads naming the reason; a refusal records nothing."""

from __future__ import annotations

import hashlib

import pytest
from pyrage import x25519

from shared.db.schema import new_id
from tests.integration.deliverables.conftest import core_state
from tests.integration.deliverables.test_downloads import download, register
from tests.integration.deliverables.test_uploads import upload_whole

RTL = b"module uart; endmodule\n"
VLNV = {"vendor": "pearlriver.hk", "library": "ip", "name": "uart", "version": "1.0"}


@pytest.mark.parametrize("backend", ["directory"])  # the storage is not what is tested here
def test_a_license_grants_what_its_events_named_and_the_vendors_restriction_since_holds(
    client, market
):
    vendor = market.organisation("Pearl River Silicon", ["vendor"])
    licensee = market.organisation("Design House", ["licensee"])
    core_id = market.core(vendor)
    rtl = upload_whole(client, vendor, core_id, RTL, kind="rtl").json["deliverable_id"]
    gds = upload_whole(client, vendor, core_id, b"GDS", kind="gds", file_name="uart.gds").json[
        "deliverable_id"
    ]
    register(client, licensee, x25519.Identity.generate())
    license_id = new_id()

    def license_event(action: str, **told) -> None:
        market.apply(
            f"ipmarket.license.{action}.v1",
            license_id,
            {
                "vendor_id": vendor.organisation_id,
                "licensee_id": licensee.organisation_id,
                "core_id": core_id,
                "vlnv": VLNV,
                "license_id": license_id,
                **told,
            },
            source="licensing",
        )

    granted = [{"kind": "soft_rtl", "name": "uart.v", "sha256": hashlib.sha256(RTL).hexdigest()}]
    license_event("issued", deliverables=granted, end_use_country="SG")
    assert download(client, licensee, rtl).status_code == 200
    refused = download(client, licensee, gds)
    assert refused.status_code == 403 and refused.json["errors"][0]["field"] == "kind"
    license_event("suspended")  # says neither: what the license grants is kept
    license_event("reinstated")
    assert download(client, licensee, rtl).status_code == 200
    assert download(client, licensee, gds).status_code == 403

    restricted = core_state(core_id, vendor, 2, "published")
    restricted["territory_restrictions"] = ["SG"]
    market.apply("ipmarket.core.updated.v1", core_id, restricted)
    refused = download(client, licensee, rtl)
    assert refused.status_code == 403 and refused.json["errors"][0]["field"] == "export"
    assert refused.json["reason_code"] == "VENDOR_TERRITORY_RESTRICTION"
    assert market.count("download") == 2  # the two copies that left, none of the refusals
