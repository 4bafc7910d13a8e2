"""License requests: submission (with idempotency) and screening, and the moves a screening
(or a later decision, license_decisions.py) sends a request on.

Screening first: deny → denied; review → an admin allows or denies; allow → the offer decides:
if it needs the vendor's approval the request waits (pending_approval) until the vendor
approves (→ approved → issued) or rejects (→ rejected); otherwise the license is issued at once.
A request still in screening or pending_approval after IPMARKET_LICENSE_REQUEST_TTL_HOURS lapses
(→ expired).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from services.licensing import audit
from services.licensing.core_terms_cache import terms_at
from services.licensing.domain.cores import CoreTerms, requested_offer
from services.licensing.domain.requests import (
    body_hash,
    needs_payment,
    version_constraint,
)
from services.licensing.event_data import license_event
from services.licensing.licenses import issue_license
from services.licensing.models import LicenseRequest
from services.licensing.request_reads import read_versions_and_kid
from services.licensing.rule_table_cache import rule_table
from services.licensing.signing import Keyring
from shared import config
from shared.db.schema import new_id, utcnow
from shared.db.session import row_of
from shared.directory import Principal
from shared.errors import Invalid
from shared.events import licensing as events
from shared.export_screening import screen_export
from shared.messaging.unit_of_work import UnitOfWork


def submit_request(
    unit_of_work: Callable[[], UnitOfWork],
    keyring: Keyring,
    principal: Principal,
    body: dict,
    idempotency_key: str | None,
) -> tuple[LicenseRequest, bool]:
    """(request, created). With an Idempotency-Key the same key and body give back the first
    request; the unique constraint settles concurrent duplicates (one insert wins)."""
    digest = body_hash(body)
    if idempotency_key is not None:
        existing = _by_idempotency_key(unit_of_work, principal, idempotency_key, digest)
        if existing is not None:
            return existing, False
    try:
        with unit_of_work() as uow:
            request = _create_request(uow, keyring, principal, body, idempotency_key, digest)
            uow.commit()
            return request, True
    except IntegrityError:
        if idempotency_key is None:
            raise
        existing = _by_idempotency_key(unit_of_work, principal, idempotency_key, digest)
        if existing is None:
            raise
        return existing, False


def _by_idempotency_key(
    unit_of_work, principal: Principal, key: str, digest: str
) -> LicenseRequest | None:
    with unit_of_work() as uow:
        existing = uow.session.scalars(
            sa.select(LicenseRequest).where(
                LicenseRequest.licensee_id == principal.organisation_id,
                LicenseRequest.idempotency_key == key,
            )
        ).first()
        uow.commit()  # ends the read; keeps the loaded request usable after the session
    if existing is not None and existing.body_hash != digest:
        raise Invalid(
            "this Idempotency-Key was used with another request body", field="Idempotency-Key"
        )
    return existing


def _create_request(
    uow: UnitOfWork,
    keyring: Keyring,
    principal: Principal,
    body: dict,
    idempotency_key: str | None,
    digest: str,
    offer_of: Callable[[CoreTerms | None], dict] | None = None,
) -> LicenseRequest:
    """`offer_of`: the offer a request is for, given the core's terms (an accepted quote's);
    else the one the body names, as the core has it now."""
    session = uow.session
    reads = read_versions_and_kid(session, body["core_id"])  # the one SELECT of a request
    core = terms_at(session, body["core_id"], reads.core_version)
    if offer_of is None:
        offer = requested_offer(core, body["core_id"], body["offer_id"])
    else:
        offer = offer_of(core)
    if offer.get("on_request"):
        raise Invalid(
            f"offer {offer['offer_id']} is priced on request: ask for a quote", field="offer_id"
        )
    now = utcnow()
    request = LicenseRequest(
        id=new_id(),
        licensee_id=principal.organisation_id,
        vendor_id=core.vendor_id,
        core_id=core.core_id,
        vlnv=dict(core.vlnv),
        offer_id=offer["offer_id"],
        offer=offer,
        version_constraint=version_constraint(core.vlnv["version"], body.get("version_range")),
        project_name=body["project_name"],
        intended_use=body["intended_use"],
        end_use_country=body["end_use_country"].upper(),
        idempotency_key=idempotency_key,
        body_hash=digest,
        created_at=now,
        updated_at=now,
        decision_comment=None,
        comments=[],
        expires_at=now + timedelta(hours=config.get("IPMARKET_LICENSE_REQUEST_TTL_HOURS")),
    )
    decision = screen_export(
        rule_table(session, reads.rules_version),
        eccn=core.eccn,
        destination=request.end_use_country,
        territory_restrictions=core.territory_restrictions,
    )
    request.screening = decision.as_dict()
    request.state = "screening"
    audit.record(
        session,
        principal,
        "licensee",
        "request.submitted",
        "license_request",
        request.id,
        licensee_id=request.licensee_id,
        vendor_id=request.vendor_id,
        core_id=core.core_id,
        offer_id=offer["offer_id"],
        end_use_country=request.end_use_country,
    )
    audit.record(
        session,
        None,
        audit.SYSTEM,
        "request.screened",
        "license_request",
        request.id,
        licensee_id=request.licensee_id,
        vendor_id=request.vendor_id,
        **request.screening,
    )
    uow.publish(
        events.LICENSE_REQUESTED,
        request.id,
        license_event(request, reason=decision.reason_code, awaiting=_awaiting(decision, offer)),
    )
    if decision.outcome == "deny":
        deny(uow, request, decision.reason_code)
    elif decision.outcome == "allow":
        after_screening(
            uow, keyring, request, None, audit.SYSTEM, core=core, signing_kid=reads.signing_kid
        )
    # Written once, at commit, in the state it ends in (no ORM flush); a duplicate
    # Idempotency-Key fails the commit there (unique constraint).
    uow.insert_at_commit(LicenseRequest.__table__, row_of(request))
    return request


def _awaiting(decision, offer: dict) -> str | None:
    """Whose decision a new request waits for: an export reviewer's, or the vendor's."""
    if decision.outcome == "review":
        return "export_review"
    if decision.outcome == "allow" and offer.get("requires_approval"):
        return "approval"
    return None


def submit_quoted(
    uow: UnitOfWork,
    keyring: Keyring,
    principal: Principal,
    body: dict,
    offer_of: Callable[[CoreTerms | None], dict],
) -> LicenseRequest:
    """A request at the terms of an accepted quote (quotes.py), screened as any other."""
    return _create_request(uow, keyring, principal, body, None, body_hash(body), offer_of)


def deny(uow: UnitOfWork, request: LicenseRequest, reason_code: str) -> None:
    request.state, request.updated_at = "denied", utcnow()
    uow.publish(events.LICENSE_DENIED, request.id, license_event(request, reason=reason_code))


def after_screening(
    uow: UnitOfWork,
    keyring: Keyring,
    request: LicenseRequest,
    actor: Principal | None,
    role: str,
    *,
    core: CoreTerms | None = None,
    signing_kid: str | None = None,
) -> None:
    """`core`, `signing_kid`: what this transaction has read already (else read on issuing)."""
    if request.offer.get("requires_approval"):
        request.state, request.updated_at = "pending_approval", utcnow()
    else:
        clear(uow, keyring, request, actor, role, core=core, signing_kid=signing_kid)


def clear(
    uow: UnitOfWork,
    keyring: Keyring,
    request: LicenseRequest,
    actor: Principal | None,
    role: str,
    *,
    core: CoreTerms | None = None,
    signing_kid: str | None = None,
) -> None:
    """Screening (and the vendor, where asked) allowed it: a free offer is issued now; a priced
    one stays approved until its order is paid (orders.py)."""
    if needs_payment(request.offer):
        request.state, request.updated_at = "approved", utcnow()
    else:
        issue_license(uow, keyring, request, actor, role, core=core, signing_kid=signing_kid)
