"""VLNV vendor names: an organisation claims one under /v1/organisations/<id>/vendor-name-claims,
the operator decides under /v1/vendor-name-claims."""

from __future__ import annotations

from marshmallow import RAISE

from services.catalog import vendor_names
from services.catalog.api.common import page, page_request
from services.catalog.schemas import (
    ListArgsSchema,
    VendorNameClaimArgsSchema,
    VendorNameClaimCreateSchema,
    VendorNameClaimSchema,
    VendorNameDecisionSchema,
    page_schema,
)
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "vendor-names",
    __name__,
    url_prefix="/v1",
    description="VLNV vendor names: the operator confirms who may publish under which name.",
)


@blp.post("/organisations/<organisation_id>/vendor-name-claims")
@requires("vendor", action="vendor_names.claim")
@blp.arguments(VendorNameClaimCreateSchema)
@blp.response(201, VendorNameClaimSchema)
@problems(404, 409)
def claim_vendor_name(body, organisation_id):
    """Claim a VLNV vendor name (e.g. your domain name). Cores are created and published under
    it once the operator has confirmed the claim."""
    with service_context().unit_of_work(current_principal().actor) as uow:
        claim = vendor_names.claim_name(uow, current_principal(), organisation_id, body["name"])
        uow.commit()
        return claim


@blp.get("/organisations/<organisation_id>/vendor-name-claims")
@requires(action="vendor_names.read")
@blp.arguments(ListArgsSchema(), location="query", unknown=RAISE)
@blp.response(200, page_schema(VendorNameClaimSchema))
@problems(404)
def list_vendor_name_claims(args, organisation_id):
    """The organisation's claims of VLNV vendor names, oldest first: pending, confirmed and
    declined."""
    with service_context().session_factory() as session:
        return page(
            *vendor_names.list_claims(
                session, current_principal(), organisation_id, page=page_request(args)
            )
        )


@blp.get("/vendor-name-claims")
@requires("admin", action="vendor_names.read_all")
@blp.arguments(VendorNameClaimArgsSchema(), location="query", unknown=RAISE)
@blp.response(200, page_schema(VendorNameClaimSchema))
def list_all_vendor_name_claims(args):
    """Every organisation's claims, oldest first, e.g. ?status=pending (platform operator
    only)."""
    with service_context().session_factory() as session:
        return page(
            *vendor_names.list_claims(
                session, current_principal(), status=args.get("status"), page=page_request(args)
            )
        )


@blp.post("/vendor-name-claims/<id:claim_id>/confirm")
@requires("admin", action="vendor_names.decide")
@blp.arguments(VendorNameDecisionSchema, required=False)
@blp.response(200, VendorNameClaimSchema)
@problems(404, 409)
def confirm_vendor_name_claim(body, claim_id):
    """Confirm a pending claim (platform operator only); the organisation is told by an
    event."""
    return _decide(claim_id, "confirmed", body.get("reason"))


@blp.post("/vendor-name-claims/<id:claim_id>/decline")
@requires("admin", action="vendor_names.decide")
@blp.arguments(VendorNameDecisionSchema, required=False)
@blp.response(200, VendorNameClaimSchema)
@problems(404, 409)
def decline_vendor_name_claim(body, claim_id):
    """Decline a pending claim (platform operator only); the organisation is told by an
    event."""
    return _decide(claim_id, "declined", body.get("reason"))


def _decide(claim_id: str, decision: str, reason: str | None):
    with service_context().unit_of_work(current_principal().actor) as uow:
        claim = vendor_names.decide(uow, current_principal(), claim_id, decision, reason)
        uow.commit()
        return claim
