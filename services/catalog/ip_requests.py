"""Use case of a request for IP: an organisation's member asks the vendors of a category for
something the catalog does not have. It is kept, and the vendors publishing cores in that
category are named in an event (notify tells each of them, in their language). The rules are
in domain/ip_requests.py."""

from __future__ import annotations

from services.catalog.domain.ip_requests import checked_request
from services.catalog.models import IpRequest
from services.catalog.people import check_email
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared.errors import Invalid
from shared.events import catalog as events
from shared.messaging.unit_of_work import UnitOfWork


def ip_request_state(request: IpRequest, vendor_ids: list[str]) -> dict:
    return {
        "ip_request_id": request.id,
        "organisation_id": request.organisation_id,
        "category": request.category,
        "description": request.description,
        "node": request.node,
        "foundry": request.foundry,
        "contact_name": request.contact_name,
        "contact_email": request.contact_email,
        "vendor_ids": vendor_ids,
    }


def request_ip(
    uow: UnitOfWork | CatalogWork,
    *,
    organisation_id: str,
    person_id: str | None,
    category: str,
    description: str,
    contact_name: str,
    contact_email: str,
    node: str | None = None,
    foundry: str | None = None,
) -> IpRequest:
    """Keep the request and tell the category's vendors (never the asking organisation)."""
    fields = checked_request(category=category, description=description, node=node, foundry=foundry)
    if not contact_name.strip():
        raise Invalid("a name for the vendors to answer", field="contact_name")
    check_email(contact_email, "contact_email")
    work = catalog_work(uow)
    vendor_ids = [
        v
        for v in work.records.vendors_publishing(fields["category"], events.MAX_VENDORS_TOLD + 1)
        if v != organisation_id
    ][: events.MAX_VENDORS_TOLD]
    request = IpRequest(
        organisation_id=organisation_id,
        person_id=person_id,
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        vendors_told=len(vendor_ids),
        **fields,
    )
    work.records.add(request)
    work.records.flush()
    work.publish(events.IP_REQUESTED, request.id, ip_request_state(request, vendor_ids))
    return request
