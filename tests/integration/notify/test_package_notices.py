"""A licensee's package ready (ipmarket.deliverables.ready.v1) reaches the licensee by e-mail and
webhook, and not its vendor."""

from __future__ import annotations

import uuid

from services.notify.webhook_endpoints import register_endpoint
from shared.events import new_event
from shared.events.deliverables import DELIVERABLES_READY
from tests.integration.notify.test_notices import VLNV, recipients_of


def ready_event(vendor_id: str, licensee_id: str):
    license_id = str(uuid.uuid4())
    return new_event(
        DELIVERABLES_READY,
        "/ipmarket/deliverables",
        license_id,
        {
            "package_id": str(uuid.uuid4()),
            "license_id": license_id,
            "licensee_id": licensee_id,
            "vendor_id": vendor_id,
            "core_id": str(uuid.uuid4()),
            "vlnv": VLNV,
            "file_count": 2,
            "size": 4096,
            "package_url": f"http://127.0.0.1:8006/v1/licenses/{license_id}/package",
            "ready_at": "2026-12-02T10:00:00+00:00",
        },
    )


def test_the_licensee_alone_hears_its_package_is_ready(notify_context, organisation, handle):
    vendor, _ = organisation("Vendor", roles=["vendor"])
    licensee, _ = organisation("Licensee", country="CN")
    with notify_context.session_factory() as session, session.begin():
        register_endpoint(session, licensee, url="http://127.0.0.1:9/l", event_types=[])
        register_endpoint(session, vendor, url="http://127.0.0.1:9/v", event_types=[])
    event = ready_event(vendor, licensee)
    handle(event)
    assert recipients_of(notify_context, event) == {licensee: {"webhook", "email"}}
