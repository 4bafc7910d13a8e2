"""VLNV vendor names: who may publish cores under "arm.com". An organisation claims a name, the
platform operator confirms (or declines) the claim, and only a confirmed claim lets the
organisation create, import or publish cores under that name. A name is confirmed for one
organisation at most (a partial unique index keeps it so even between concurrent requests).
Use cases taking a unit of work; what a name may be is in domain/vendor_names.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.catalog.domain.access import Viewer, may_see_organisation
from services.catalog.domain.list_cursor import FIRST_PAGE, PageRequest
from services.catalog.domain.vendor_names import checked_name, may_claim_again, normalised
from services.catalog.list_pages import page_of
from services.catalog.models import Organisation, VendorNameClaim
from services.catalog.records import AlreadyRecorded
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared.db.schema import utcnow
from shared.errors import Conflict, Forbidden, NotFound
from shared.events import catalog as events
from shared.messaging.unit_of_work import UnitOfWork

EVENT_FOR_DECISION = {
    "confirmed": events.VENDOR_NAME_CONFIRMED,
    "declined": events.VENDOR_NAME_DECLINED,
}


def claim_state(claim: VendorNameClaim) -> dict:
    """The `VendorNameDecision` event schema (shared/events/catalog.py)."""
    return {
        "claim_id": claim.id,
        "organisation_id": claim.organisation_id,
        "name": claim.name,
        "status": claim.status,
        "reason": claim.reason,
        "decided_at": claim.decided_at.isoformat() if claim.decided_at else None,
    }


def claim_name(
    uow: UnitOfWork | CatalogWork, principal: Viewer, organisation_id: str, name: str
) -> VendorNameClaim:
    """A pending claim of `name` by the organisation (its own, or any for the operator). A name
    declined before may be claimed again; one confirmed for another organisation may not."""
    records = catalog_work(uow).records
    org = records.organisation(organisation_id)
    if org is None or not may_see_organisation(principal, org.id):
        raise NotFound(f"organisation {organisation_id} does not exist")
    if "vendor" not in org.roles:
        raise Forbidden("only a vendor organisation claims VLNV vendor names", field="name")
    name = checked_name(name)
    if records.confirmed_owner(name) not in (None, org.id):
        raise Conflict(
            f"the VLNV vendor name {name} is confirmed for another organisation", field="name"
        )
    claim = records.claim_of(org.id, name)
    if claim is not None and not may_claim_again(claim.status):
        raise Conflict(
            f"your organisation has claimed {name} already ({claim.status})",
            field="name",
            claim_id=claim.id,
        )
    if claim is None:
        claim = VendorNameClaim(organisation_id=org.id, name=name, status="pending")
        records.add(claim)
    else:
        claim.status, claim.reason, claim.decided_at, claim.decided_by = "pending", None, None, None
    try:
        records.flush_unique()
    except AlreadyRecorded:  # the same claim, sent twice at once
        raise Conflict(f"your organisation has claimed {name} already", field="name") from None
    return claim


def decide(
    uow: UnitOfWork | CatalogWork,
    principal: Viewer,
    claim_id: str,
    decision: str,
    reason: str | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> VendorNameClaim:
    """The operator confirms or declines a pending claim; each decision is an event, so that
    the organisation is told."""
    if not principal.is_admin:
        raise Forbidden("only the platform operator decides on vendor-name claims")
    work = catalog_work(uow)
    claim = work.records.claim(claim_id)
    if claim is None:
        raise NotFound(f"vendor-name claim {claim_id} does not exist")
    if claim.status != "pending":
        raise Conflict(f"the claim is {claim.status} already", field="status")
    if decision == "confirmed" and work.records.confirmed_owner(claim.name) is not None:
        raise Conflict(
            f"the VLNV vendor name {claim.name} is confirmed for another "
            "organisation: decline this claim",
            field="name",
        )
    claim.status, claim.reason = decision, reason
    claim.decided_at, claim.decided_by = clock(), principal.organisation_id
    try:
        work.records.flush_unique()
    except AlreadyRecorded:  # the unique index: a concurrent confirmation came first
        raise Conflict(
            f"the VLNV vendor name {claim.name} is confirmed for another "
            "organisation: decline this claim",
            field="name",
        ) from None
    work.publish(EVENT_FOR_DECISION[decision], claim.organisation_id, claim_state(claim))
    return claim


def list_claims(
    session: Session,
    principal: Viewer,
    organisation_id: str | None = None,
    status: str | None = None,
    page: PageRequest = FIRST_PAGE,
) -> tuple[list[VendorNameClaim], str | None]:
    """A page of an organisation's claims (its own, or any for the operator); every
    organisation's only for the operator."""
    query = sa.select(VendorNameClaim)
    if organisation_id is not None:
        org = session.get(Organisation, organisation_id)
        if org is None or not may_see_organisation(principal, org.id):
            raise NotFound(f"organisation {organisation_id} does not exist")
        query = query.where(VendorNameClaim.organisation_id == organisation_id)
    elif not principal.is_admin:
        raise Forbidden("only the platform operator lists every organisation's claims")
    if status is not None:
        query = query.where(VendorNameClaim.status == status)
    return page_of(session, query, VendorNameClaim, page)


def check_publisher(records, organisation_id: str, vendor_name: str) -> None:
    """Cores under a VLNV vendor name are created and published only by the organisation whose
    claim of it the operator confirmed."""
    if records.confirmed_owner(normalised(vendor_name)) != organisation_id:
        raise Forbidden(
            f"{vendor_name!r} is not a VLNV vendor name confirmed for your "
            "organisation: claim it (POST /v1/organisations/<id>/vendor-name-claims) "
            "and wait for the operator to confirm it",
            field="vlnv.vendor",
        )
