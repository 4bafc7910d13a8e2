"""License requests: submission, listing, the vendor's decision and the admin's review."""

from __future__ import annotations

from functools import partial

from services.licensing import license_decisions, license_requests
from services.licensing.access import get_visible, visible
from services.licensing.api.common import (
    IDEMPOTENCY_KEY,
    V1,
    committed,
    idempotency_key,
    keyring,
    page,
)
from services.licensing.models import LicenseRequest
from services.licensing.schemas.common import Comment, RequiredComment
from services.licensing.schemas.license_requests import (
    LicenseRequestIn,
    LicenseRequestOut,
    RequestPage,
    RequestQuery,
    ReviewDecision,
)
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "license_requests",
    __name__,
    url_prefix=V1,
    description="License requests: screening, approval, review",
)


@blp.post("/license-requests")
@requires("licensee", action="license_requests.create")
@blp.response(201, LicenseRequestOut)
@blp.alt_response(
    200,
    schema=LicenseRequestOut,
    success=True,
    description="The request made before with this Idempotency-Key.",
)
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@blp.arguments(LicenseRequestIn())  # an instance: webargs would build one per request
def submit_request(body):
    """Request a license; `Idempotency-Key` makes a retry safe."""
    principal = current_principal()
    created, is_new = license_requests.submit_request(
        partial(service_context().unit_of_work, principal.actor),
        keyring(),
        principal,
        body,
        idempotency_key(),
    )
    return created, 201 if is_new else 200


@blp.get("/license-requests")
@requires(action="license_requests.read")
@blp.response(200, RequestPage)
@blp.arguments(RequestQuery, location="query")
def list_requests(args):
    rows, next_cursor = page(visible(LicenseRequest, current_principal()), args, LicenseRequest)
    return {"items": rows, "next": next_cursor}


@blp.get("/license-requests/<id:request_id>")
@requires(action="license_requests.read")
@blp.response(200, LicenseRequestOut)
@problems(404)
def get_request(request_id):
    with service_context().session_factory() as session:
        return get_visible(session, current_principal(), LicenseRequest, request_id)


@blp.post("/license-requests/<id:request_id>/approve")
@requires("vendor", action="license_requests.decide")
@blp.response(200, LicenseRequestOut)
@problems(404, 409)
@blp.arguments(Comment)
def approve_request(body, request_id):
    return committed(
        license_decisions.approve, keyring(), current_principal(), request_id, body.get("comment")
    )


@blp.post("/license-requests/<id:request_id>/reject")
@requires("vendor", action="license_requests.decide")
@blp.response(200, LicenseRequestOut)
@problems(404, 409)
@blp.arguments(RequiredComment)
def reject_request(body, request_id):
    return committed(license_decisions.reject, current_principal(), request_id, body["comment"])


@blp.post("/license-requests/<id:request_id>/review")
@requires("admin", action="export.review")
@blp.response(200, LicenseRequestOut)
@problems(404, 409)
@blp.arguments(ReviewDecision)
def review_request(body, request_id):
    """An admin's decision on a request that screening sent to review."""
    return committed(
        license_decisions.decide_review,
        keyring(),
        current_principal(),
        request_id,
        body["outcome"],
        body["comment"],
    )
