"""Decisions on a license request: the vendor's approval or rejection, an admin's review of a
request screening sent to review, and the lapse of requests nobody decided on in time."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from services.licensing import audit
from services.licensing.access import get_visible
from services.licensing.domain.requests import PENDING, check_decidable
from services.licensing.event_data import license_event
from services.licensing.license_requests import after_screening, clear, deny
from services.licensing.models import LicenseRequest
from services.licensing.signing import Keyring
from shared.db.schema import utcnow
from shared.directory import Principal
from shared.events import licensing as events
from shared.messaging.unit_of_work import UnitOfWork

DECISION_EVENTS = {"approved": events.LICENSE_APPROVED, "rejected": events.LICENSE_REJECTED}


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
    clear(uow, keyring, request, principal, "vendor")
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
        deny(uow, request, "DENIED_AFTER_REVIEW")
    else:
        # Both sides hear of it (before any license it leads to); the vendor's approvers
        # too, when it now waits for them.
        awaiting = "approval" if request.offer.get("requires_approval") else None
        uow.publish(
            events.LICENSE_EXPORT_CLEARED,
            request.id,
            license_event(request, reason=comment, awaiting=awaiting),
        )
        after_screening(uow, keyring, request, principal, "admin")
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
