"""The data of the events this service publishes (shared/events/licensing.py), built from its
rows: each names both counterparties and the core."""

from __future__ import annotations

from services.licensing.domain.money import Money
from services.licensing.models import License, LicenseRequest
from services.licensing.purchasing_models import Order, Quote


def license_event(subject: LicenseRequest | License, **extra) -> dict:
    """The fields every license event carries, from a request or a license."""
    if isinstance(subject, License):
        claims = subject.claims
        data = {
            "license_id": subject.id,
            "request_id": subject.request_id,
            "vlnv": claims["core"]["vlnv"],
            "offer_kind": claims["offer_kind"],
            "project_name": claims["scope"].get("project"),
            "not_before": subject.not_before.isoformat(),
            "expires_at": subject.expires_at.isoformat() if subject.expires_at else None,
            # what it grants and where it may be used: the deliverables service enforces both
            "deliverables": claims.get("deliverables", []),
            "end_use_country": (claims.get("territory") or [None])[0],
        }
    else:
        data = {
            "request_id": subject.id,
            "license_id": subject.license_id,
            "vlnv": subject.vlnv,
            "offer_kind": subject.offer["kind"],
            "project_name": subject.project_name,
        }
    return {
        "vendor_id": subject.vendor_id,
        "licensee_id": subject.licensee_id,
        "core_id": subject.core_id,
        **data,
        **extra,
    }


def purchase_event(subject: Quote | Order, **extra) -> dict:
    """The fields every quote, order and invoice event carries (both parties, the core)."""
    data = {
        "vendor_id": subject.vendor_id,
        "licensee_id": subject.licensee_id,
        "core_id": subject.core_id,
        "vlnv": subject.vlnv,
        "offer_id": subject.offer_id,
    }
    if isinstance(subject, Order):
        data.update(
            order_id=subject.id,
            request_id=subject.request_id,
            quote_id=subject.quote_id,
            license_id=subject.license_id,
            **Money(subject.amount_minor, subject.currency).as_dict(),
            paid_amount=str(Money(subject.paid_minor, subject.currency)),
        )
    else:
        data.update(quote_id=subject.id, request_id=subject.request_id)
    return {**data, **extra}
