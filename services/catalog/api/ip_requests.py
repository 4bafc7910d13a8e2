"""Requests for IP (/v1/ip-requests): a member of an organisation asks the vendors of a
category for something the catalog does not have."""

from __future__ import annotations

from services.catalog import ip_requests
from services.catalog.api.common import event_actor
from services.catalog.schemas.ip_requests import IpRequestCreateSchema, IpRequestSchema
from shared.http.api_docs import Blueprint
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "ip_requests",
    __name__,
    url_prefix="/v1",
    description="Requests for IP: asking the vendors of a category when a search finds nothing.",
)


@blp.post("/ip-requests")
@requires()
@blp.arguments(IpRequestCreateSchema)
@blp.response(201, IpRequestSchema)
def request_ip(body):
    """Ask the vendors publishing cores in `category` (the asking organisation excepted): each
    is told by e-mail and webhook, in its language, as its notice preferences say."""
    principal = current_principal()
    with service_context().unit_of_work(event_actor("ip_requests.send")) as uow:
        request = ip_requests.request_ip(
            uow,
            organisation_id=principal.organisation_id,
            person_id=principal.person_id,
            **body,
        )
        uow.commit()
        return request
