"""License requests: submission (with idempotency), screening, vendor decisions, lapse.

Screening first: deny → denied; review → an admin allows or denies; allow → the offer decides:
if it needs the vendor's approval the request waits (pending_approval) until the vendor
approves (→ approved → issued) or rejects (→ rejected); otherwise the license is issued at once.
A request still in screening or pending_approval after IPMARKET_LICENSE_REQUEST_TTL_HOURS lapses
(→ expired).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from sqlalchemy.exc import IntegrityError

from services.licensing import audit
from services.licensing.access import get_visible
from services.licensing.known_cores import core_terms, requested_offer
from services.licensing.licenses import event_data, issue_license
from services.licensing.models import KnownCore, LicenseRequest
from services.licensing.money import Money
from services.licensing.screening import rule_table, screen_export, version_in_force
from services.licensing.signing import SIGNER_KID, Keyring, signer_kid
from services.licensing.verification import version_allowed
from shared import config
from shared.db.schema import new_id, utcnow
from shared.db.session import row_of
from shared.directory import Principal
from shared.errors import Conflict, Invalid
from shared.messaging.unit_of_work import UnitOfWork

PENDING = ("screening", "pending_approval")
# One round trip for what a request needs: the versions of the core and of the rule set in
# force, and the signing kid (the core's terms, the rule table and the private key then come
# from this process's memory). Built once: building a statement costs more CPU than running
# it. Plain columns, run on the session's connection: the ORM's work per execution would cost
# more than the round trip.
_VERSIONS_AND_KID = (sa.select(KnownCore.__table__.c.version, version_in_force(),
                               signer_kid().scalar_subquery())
                     .where(KnownCore.__table__.c.core_id == sa.bindparam("core_id")))


def body_hash(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def submit_request(unit_of_work: Callable[[], UnitOfWork], keyring: Keyring,
                   principal: Principal, body: dict,
                   idempotency_key: str | None) -> tuple[LicenseRequest, bool]:
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


def _by_idempotency_key(unit_of_work, principal: Principal, key: str,
                        digest: str) -> LicenseRequest | None:
    with unit_of_work() as uow:
        existing = uow.session.scalars(sa.select(LicenseRequest).where(
            LicenseRequest.licensee_id == principal.organisation_id,
            LicenseRequest.idempotency_key == key)).first()
        uow.commit()  # ends the read; keeps the loaded request usable after the session
    if existing is not None and existing.body_hash != digest:
        raise Invalid("this Idempotency-Key was used with another request body",
                      field="Idempotency-Key")
    return existing


def _create_request(uow: UnitOfWork, keyring: Keyring, principal: Principal, body: dict,
                    idempotency_key: str | None, digest: str,
                    quoted: dict | None = None) -> LicenseRequest:
    """`quoted`: the terms of an accepted quote, which replace the offer's "on request"."""
    session = uow.session
    core_version, rules_version, session.info[SIGNER_KID] = session.connection().execute(
        _VERSIONS_AND_KID, {"core_id": body["core_id"]}).first() or (None, None, None)
    core = core_terms(session, body["core_id"], core_version)
    offer = {**requested_offer(core, body["core_id"], body["offer_id"]), **(quoted or {})}
    if offer.get("on_request"):
        raise Invalid(f"offer {offer['offer_id']} is priced on request: ask for a quote",
                      field="offer_id")
    now = utcnow()
    request = LicenseRequest(
        id=new_id(), licensee_id=principal.organisation_id, vendor_id=core.vendor_id,
        core_id=core.core_id, vlnv=dict(core.vlnv), offer_id=offer["offer_id"], offer=offer,
        version_constraint=version_constraint(core.vlnv["version"], body.get("version_range")),
        project_name=body["project_name"], intended_use=body["intended_use"],
        end_use_country=body["end_use_country"].upper(), idempotency_key=idempotency_key,
        body_hash=digest, created_at=now, updated_at=now, decision_comment=None,
        comments=[],
        expires_at=now + timedelta(hours=config.get("IPMARKET_LICENSE_REQUEST_TTL_HOURS")))
    decision = screen_export(rule_table(session, rules_version), eccn=core.eccn,
                             destination=request.end_use_country,
                             territory_restrictions=core.territory_restrictions)
    request.screening = decision.as_dict()
    request.state = "screening"
    audit.record(session, principal, "licensee", "request.submitted", "license_request",
                 request.id, licensee_id=request.licensee_id, vendor_id=request.vendor_id,
                 core_id=core.core_id, offer_id=offer["offer_id"],
                 end_use_country=request.end_use_country)
    audit.record(session, None, audit.SYSTEM, "request.screened", "license_request", request.id,
                 licensee_id=request.licensee_id, vendor_id=request.vendor_id,
                 **request.screening)
    uow.publish("ipmarket.license.requested.v1", request.id,
                event_data(request, reason=decision.reason_code))
    if decision.outcome == "deny":
        _deny(uow, request, decision.reason_code)
    elif decision.outcome == "allow":
        _after_screening(uow, keyring, request, None, audit.SYSTEM)
    # Written once, at commit, in the state it ends in (no ORM flush); a duplicate
    # Idempotency-Key fails the commit there (unique constraint).
    uow.insert_at_commit(LicenseRequest.__table__, row_of(request))
    return request


def submit_quoted(uow: UnitOfWork, keyring: Keyring, principal: Principal, body: dict,
                  quoted: dict) -> LicenseRequest:
    """A request at the terms of an accepted quote (quotes.py), screened as any other."""
    return _create_request(uow, keyring, principal, body, None, body_hash(body), quoted)


def version_constraint(core_version: str, version_range: str | None) -> str:
    """The PEP 440 constraint the license will cover: the requested range, which must include
    the offered version, or exactly that version."""
    if version_range is None:
        try:
            return f"=={Version(core_version)}"
        except InvalidVersion:
            return f"==={core_version}"  # e.g. "r1p0": arbitrary equality
    try:
        SpecifierSet(version_range)
    except InvalidSpecifier:
        raise Invalid(f"{version_range!r} is not a version range such as '>=1.0,<2.0'",
                      field="version_range") from None
    if not version_allowed(version_range, core_version):
        raise Invalid(f"the range {version_range!r} does not include the offered version "
                      f"{core_version}", field="version_range")
    return version_range


def _deny(uow: UnitOfWork, request: LicenseRequest, reason_code: str) -> None:
    request.state, request.updated_at = "denied", utcnow()
    uow.publish("ipmarket.license.denied.v1", request.id, event_data(request, reason=reason_code))


def _after_screening(uow: UnitOfWork, keyring: Keyring, request: LicenseRequest,
                     actor: Principal | None, role: str) -> None:
    if request.offer.get("requires_approval"):
        request.state, request.updated_at = "pending_approval", utcnow()
    else:
        _clear(uow, keyring, request, actor, role)


def needs_payment(offer: dict) -> bool:
    """A priced offer (or an accepted quote) is paid for before its license is issued; one
    without a price or priced at zero (e.g. foundation IP the foundry pays for) is not."""
    price = offer.get("price")
    return price is not None and Money.parse(price["amount"], price["currency"]).minor > 0


def _clear(uow: UnitOfWork, keyring: Keyring, request: LicenseRequest,
           actor: Principal | None, role: str) -> None:
    """Screening (and the vendor, where asked) allowed it: a free offer is issued now; a priced
    one stays approved until its order is paid (orders.py)."""
    if needs_payment(request.offer):
        request.state, request.updated_at = "approved", utcnow()
    else:
        issue_license(uow, keyring, request, actor, role)


# --- decisions -------------------------------------------------------------------------------

def _pending(uow: UnitOfWork, principal: Principal, request_id: str,
             state: str) -> LicenseRequest:
    request = get_visible(uow.session, principal, LicenseRequest, request_id, for_update=True,
                          vendor_only=True)
    if request.state != state:
        raise Conflict(f"the request is {request.state}, not {state}", state=request.state)
    if request.expires_at <= utcnow():
        raise Conflict("the request has lapsed", state="expired")
    return request


def approve(uow: UnitOfWork, keyring: Keyring, principal: Principal, request_id: str,
            comment: str | None) -> LicenseRequest:
    request = _vendor_decides(uow, principal, request_id, "approved", comment)
    _clear(uow, keyring, request, principal, "vendor")
    return request


def reject(uow: UnitOfWork, principal: Principal, request_id: str,
           comment: str) -> LicenseRequest:
    return _vendor_decides(uow, principal, request_id, "rejected", comment)


def _vendor_decides(uow: UnitOfWork, principal: Principal, request_id: str, decision: str,
                    comment: str | None) -> LicenseRequest:
    request = _pending(uow, principal, request_id, "pending_approval")
    request.state, request.decision_comment = decision, comment
    request.decided_by, request.updated_at = principal.organisation_id, utcnow()
    _add_comment(request, principal, "vendor", decision, comment)
    audit.record(uow.session, principal, "vendor", f"request.{decision}", "license_request",
                 request.id, licensee_id=request.licensee_id, vendor_id=request.vendor_id,
                 comment=comment)
    uow.publish(f"ipmarket.license.{decision}.v1", request.id,
                event_data(request, reason=comment))
    return request


def decide_review(uow: UnitOfWork, keyring: Keyring, principal: Principal, request_id: str,
                  outcome: str, comment: str) -> LicenseRequest:
    """An admin's decision on a request that screening sent to review."""
    request = _pending(uow, principal, request_id, "screening")
    request.screening = {**request.screening, "review": {
        "outcome": outcome, "comment": comment, "by": principal.organisation_id}}
    request.decision_comment = comment
    _add_comment(request, principal, "admin", f"review_{outcome}", comment)
    audit.record(uow.session, principal, "admin", f"request.review_{outcome}",
                 "license_request", request.id, licensee_id=request.licensee_id,
                 vendor_id=request.vendor_id, comment=comment)
    if outcome == "deny":
        _deny(uow, request, "DENIED_AFTER_REVIEW")
    else:
        _after_screening(uow, keyring, request, principal, "admin")
    return request


def _add_comment(request: LicenseRequest, principal: Principal, role: str, decision: str,
                 comment: str | None) -> None:
    if comment is None:
        return
    # A new list, not append: the ORM sees a JSON column change only when it is assigned.
    request.comments = [*request.comments, {
        "author_id": principal.organisation_id,
        "author_role": "admin" if principal.is_admin else role, "decision": decision,
        "comment": comment, "at": utcnow().isoformat()}]


def expire_pending(uow: UnitOfWork, now: datetime, limit: int = 500) -> int:
    """Lapse the requests nobody decided on in time."""
    lapsed = list(uow.session.scalars(
        sa.select(LicenseRequest).where(LicenseRequest.state.in_(PENDING),
                                        LicenseRequest.expires_at <= now)
        .order_by(LicenseRequest.expires_at).limit(limit).with_for_update(skip_locked=True)))
    for request in lapsed:
        request.state, request.updated_at = "expired", now
        audit.record(uow.session, None, audit.SYSTEM, "request.expired", "license_request",
                     request.id, licensee_id=request.licensee_id, vendor_id=request.vendor_id)
    return len(lapsed)
