"""Quotes for offers priced "on request": the licensee asks (project and volume), the vendor
answers with a price, terms and a validity date, the licensee accepts or declines.

requested → sent (the vendor may send a revised quote while it is not answered) → accepted or
declined; a quote past its validity cannot be accepted. The vendor may reject a quote not yet
answered instead, with the reason the licensee is told (quote.rejected). Accepting submits a
license request priced at the quote (export screening as for any request; the vendor's quote
stands for its approval), from which the licensee then orders (orders.py). The quote keeps the
offer as it stood when sent: accepting it licenses that, even if the vendor has edited or removed
the offer since (domain/quotes.py).
"""

from __future__ import annotations

from datetime import datetime

from services.licensing import audit, license_requests
from services.licensing.access import get_visible
from services.licensing.core_terms_cache import current_terms
from services.licensing.domain import quotes as rules
from services.licensing.domain.cores import requested_offer
from services.licensing.domain.money import Money
from services.licensing.domain.requests import version_constraint
from services.licensing.event_data import purchase_event
from services.licensing.models import LicenseRequest
from services.licensing.orders import must_be_licensee
from services.licensing.purchasing_models import Quote
from services.licensing.signing import Keyring
from shared.db.schema import new_id, utcnow
from shared.directory import Principal
from shared.errors import Invalid
from shared.events import licensing as events
from shared.messaging.unit_of_work import UnitOfWork


def request_quote(uow: UnitOfWork, principal: Principal, body: dict) -> Quote:
    core = current_terms(uow.session, body["core_id"])
    offer = requested_offer(core, body["core_id"], body["offer_id"])
    if not offer.get("on_request"):
        raise Invalid(
            f"offer {offer['offer_id']} has a price: request a license instead", field="offer_id"
        )
    if body.get("version_range") is not None:  # checked now, not at acceptance
        version_constraint(core.vlnv["version"], body["version_range"])
    now = utcnow()
    quote = Quote(
        id=new_id(),
        licensee_id=principal.organisation_id,
        vendor_id=core.vendor_id,
        core_id=core.core_id,
        vlnv=dict(core.vlnv),
        offer_id=offer["offer_id"],
        offer=dict(offer),
        state="requested",
        project_name=body["project_name"],
        intended_use=body["intended_use"],
        end_use_country=body["end_use_country"].upper(),
        version_range=body.get("version_range"),
        volume=body["volume"],
        details=body.get("details"),
        created_at=now,
        updated_at=now,
    )
    uow.session.add(quote)
    _audit(uow, principal, "licensee", "quote.requested", quote, volume=quote.volume)
    uow.publish(events.QUOTE_REQUESTED, quote.id, purchase_event(quote))
    return quote


def send_quote(
    uow: UnitOfWork,
    principal: Principal,
    quote_id: str,
    price: Money,
    terms: str,
    valid_until: datetime,
) -> Quote:
    quote = get_visible(uow.session, principal, Quote, quote_id, for_update=True, vendor_only=True)
    rules.check_state(quote.state, rules.SENDABLE)
    rules.check_valid_until(valid_until, utcnow())
    core = current_terms(uow.session, quote.core_id)
    offer = core.offer(quote.offer_id) if core else None
    if offer is not None:  # what the vendor prices; else still the offer as it was asked for
        quote.offer = dict(offer)
    quote.amount_minor, quote.currency = price.minor, price.currency
    quote.terms, quote.valid_until = terms, valid_until
    quote.state, quote.updated_at = "sent", utcnow()
    _audit(
        uow,
        principal,
        "vendor",
        "quote.sent",
        quote,
        **price.as_dict(),
        valid_until=valid_until.isoformat(),
    )
    uow.publish(
        events.QUOTE_SENT,
        quote.id,
        purchase_event(quote, **price.as_dict(), valid_until=valid_until.isoformat()),
    )
    return quote


def accept_quote(
    uow: UnitOfWork, keyring: Keyring, principal: Principal, quote_id: str
) -> tuple[Quote, LicenseRequest]:
    quote = _answerable(uow, principal, quote_id)
    rules.check_acceptable(quote.state, quote.valid_until, utcnow())
    price = Money(quote.amount_minor, quote.currency)
    body = {
        "core_id": quote.core_id,
        "offer_id": quote.offer_id,
        "project_name": quote.project_name,
        "intended_use": quote.intended_use,
        "end_use_country": quote.end_use_country,
        "version_range": quote.version_range,
        "quote_id": quote.id,
    }
    request = license_requests.submit_quoted(
        uow,
        keyring,
        principal,
        body,
        lambda core: rules.accepted_offer(
            core, quote.offer_id, quote.offer, price.as_dict(), quote.id
        ),
    )
    quote.state, quote.request_id, quote.updated_at = "accepted", request.id, utcnow()
    _audit(uow, principal, "licensee", "quote.accepted", quote, request_id=request.id)
    uow.publish(events.QUOTE_ACCEPTED, quote.id, purchase_event(quote, **price.as_dict()))
    return quote, request


def decline_quote(
    uow: UnitOfWork, principal: Principal, quote_id: str, reason: str | None
) -> Quote:
    quote = _answerable(uow, principal, quote_id)
    rules.check_state(quote.state, rules.DECLINABLE)
    quote.state, quote.updated_at = "declined", utcnow()
    _audit(uow, principal, "licensee", "quote.declined", quote, reason=reason)
    uow.publish(events.QUOTE_DECLINED, quote.id, purchase_event(quote, reason=reason))
    return quote


def reject_quote(uow: UnitOfWork, principal: Principal, quote_id: str, reason: str) -> Quote:
    """The vendor will not quote (or takes back a quote not yet answered), saying why."""
    quote = get_visible(uow.session, principal, Quote, quote_id, for_update=True, vendor_only=True)
    rules.check_state(quote.state, rules.REJECTABLE)
    quote.state, quote.rejection_reason, quote.updated_at = "rejected", reason, utcnow()
    _audit(uow, principal, "vendor", "quote.rejected", quote, reason=reason)
    uow.publish(events.QUOTE_REJECTED, quote.id, purchase_event(quote, reason=reason))
    return quote


def _answerable(uow: UnitOfWork, principal: Principal, quote_id: str) -> Quote:
    """The quote, locked, if the principal is its licensee (or an admin)."""
    quote = get_visible(uow.session, principal, Quote, quote_id, for_update=True)
    must_be_licensee(principal, quote)
    return quote


def _audit(
    uow: UnitOfWork, actor: Principal, role: str, action: str, quote: Quote, **details
) -> None:
    audit.record(
        uow.session,
        actor,
        role,
        action,
        "quote",
        quote.id,
        licensee_id=quote.licensee_id,
        vendor_id=quote.vendor_id,
        **details,
    )
