"""License requests: submission (with idempotency), screening, vendor decisions, lapse.

Screening first: deny → denied; review → an admin allows or denies; allow → the offer decides:
if it needs the vendor's approval the request waits (pending_approval) until the vendor
approves (→ approved → issued) or rejects (→ rejected); otherwise the license is issued at once.
A request still in screening or pending_approval after IPMARKET_LICENSE_REQUEST_TTL_HOURS lapses
(→ expired).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from services.licensing import audit
from services.licensing.access import get_visible
from services.licensing.core_terms_cache import terms_at
from services.licensing.domain.cores import CoreTerms, requested_offer
from services.licensing.domain.requests import (
    PENDING,
    body_hash,
    check_decidable,
    needs_payment,
    version_constraint,
)
from services.licensing.domain.screening import screen_export
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
from shared.messaging.unit_of_work import UnitOfWork

DECISION_EVENTS = {"approved": events.LICENSE_APPROVED, "rejected": events.LICENSE_REJECTED}


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
    quoted: dict | None = None,
) -> LicenseRequest:
    """`quoted`: the terms of an accepted quote, which replace the offer's "on request"."""
    session = uow.session
    reads = read_versions_and_kid(session, body["core_id"])  # the one SELECT of a request
    core = terms_at(session, body["core_id"], reads.core_version)
    offer = {**requested_offer(core, body["core_id"], body["offer_id"]), **(quoted or {})}
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
        events.LICENSE_REQUESTED, request.id, license_event(request, reason=decision.reason_code)
    )
    if decision.outcome == "deny":
        _deny(uow, request, decision.reason_code)
    elif decision.outcome == "allow":
        _after_screening(
            uow, keyring, request, None, audit.SYSTEM, core=core, signing_kid=reads.signing_kid
        )
    # Written once, at commit, in the state it ends in (no ORM flush); a duplicate
    # Idempotency-Key fails the commit there (unique constraint).
    uow.insert_at_commit(LicenseRequest.__table__, row_of(request))
    return request


def submit_quoted(
    uow: UnitOfWork, keyring: Keyring, principal: Principal, body: dict, quoted: dict
) -> LicenseRequest:
    """A request at the terms of an accepted quote (quotes.py), screened as any other."""
    return _create_request(uow, keyring, principal, body, None, body_hash(body), quoted)


def _deny(uow: UnitOfWork, request: LicenseRequest, reason_code: str) -> None:
    request.state, request.updated_at = "denied", utcnow()
    uow.publish(events.LICENSE_DENIED, request.id, license_event(request, reason=reason_code))


def _after_screening(
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
        _clear(uow, keyring, request, actor, role, core=core, signing_kid=signing_kid)


def _clear(
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


# --- decisions -------------------------------------------------------------------------------


def _pending(uow: UnitOfWork, principal: Principal, request_id: str, state: str) -> LicenseRequest:
    request = get_visible(
        uow.session, principal, LicenseRequest, request_id, for_update=True, vendor_only=True
    )
    check_decidable(request.state, request.expires_at, state, utcnow())
    return request


def approve(
    uow: UnitOfWork, keyring: Keyring, principal: Principal, request_id: str, comment: str | None
) -> LicenseRequest:
    request = _vendor_decides(uow, principal, request_id, "approved", comment)
    _clear(uow, keyring, request, principal, "vendor")
    return request


def reject(uow: UnitOfWork, principal: Principal, request_id: str, comment: str) -> LicenseRequest:
    return _vendor_decides(uow, principal, request_id, "rejected", comment)


def _vendor_decides(
    uow: UnitOfWork, principal: Principal, request_id: str, decision: str, comment: str | None
) -> LicenseRequest:
    request = _pending(uow, principal, request_id, "pending_approval")
    request.state, request.decision_comment = decision, comment
    request.decided_by, request.updated_at = principal.organisation_id, utcnow()
    _add_comment(request, principal, "vendor", decision, comment)
    audit.record(
        uow.session,
        principal,
        "vendor",
        f"request.{decision}",
        "license_request",
        request.id,
        licensee_id=request.licensee_id,
        vendor_id=request.vendor_id,
        comment=comment,
    )
    uow.publish(DECISION_EVENTS[decision], request.id, license_event(request, reason=comment))
    return request


def decide_review(
    uow: UnitOfWork,
    keyring: Keyring,
    principal: Principal,
    request_id: str,
    outcome: str,
    comment: str,
) -> LicenseRequest:
    """An admin's decision on a request that screening sent to review."""
    request = _pending(uow, principal, request_id, "screening")
    request.screening = {
        **request.screening,
        "review": {"outcome": outcome, "comment": comment, "by": principal.organisation_id},
    }
    request.decision_comment = comment
    _add_comment(request, principal, "admin", f"review_{outcome}", comment)
    audit.record(
        uow.session,
        principal,
        "admin",
        f"request.review_{outcome}",
        "license_request",
        request.id,
        licensee_id=request.licensee_id,
        vendor_id=request.vendor_id,
        comment=comment,
    )
    if outcome == "deny":
        _deny(uow, request, "DENIED_AFTER_REVIEW")
    else:
        _after_screening(uow, keyring, request, principal, "admin")
    return request


def _add_comment(
    request: LicenseRequest, principal: Principal, role: str, decision: str, comment: str | None
) -> None:
    if comment is None:
        return
    # A new list, not append: the ORM sees a JSON column change only when it is assigned.
    request.comments = [
        *request.comments,
        {
            "author_id": principal.organisation_id,
            "author_role": "admin" if principal.is_admin else role,
            "decision": decision,
            "comment": comment,
            "at": utcnow().isoformat(),
        },
    ]


def expire_pending(uow: UnitOfWork, now: datetime, limit: int = 500) -> int:
    """Lapse the requests nobody decided on in time."""
    lapsed = list(
        uow.session.scalars(
            sa.select(LicenseRequest)
            .where(LicenseRequest.state.in_(PENDING), LicenseRequest.expires_at <= now)
            .order_by(LicenseRequest.expires_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for request in lapsed:
        request.state, request.updated_at = "expired", now
        audit.record(
            uow.session,
            None,
            audit.SYSTEM,
            "request.expired",
            "license_request",
            request.id,
            licensee_id=request.licensee_id,
            vendor_id=request.vendor_id,
        )
    return len(lapsed)
