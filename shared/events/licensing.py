"""Events published by the licensing service.

Every event names both counterparties (`vendor_id`, `licensee_id`) so that the notify service can
tell both sides without asking anyone, and the core it is about.
"""
from decimal import Decimal

from marshmallow import fields, validate

from shared import bounds
from shared.events.catalog import CODE, ID, Vlnv
from shared.events.registry import EventData, register

REQUEST_STATES = ("screening", "pending_approval", "approved", "rejected", "denied", "expired",
                  "issued", "cancelled")  # approved: cleared, awaiting an order if priced
LICENSE_STATES = ("active", "suspended", "revoked", "expired")


REASON = validate.Length(min=1, max=bounds.MAX_TEXT)
AMOUNT = validate.Range(min=0, max=Decimal(bounds.MAX_AMOUNT))


def _optional(validator):
    return fields.String(allow_none=True, load_default=None, validate=validator)


class LicenseEventData(EventData):
    vendor_id = fields.String(required=True, validate=ID)
    licensee_id = fields.String(required=True, validate=ID)
    core_id = fields.String(required=True, validate=ID)
    vlnv = fields.Nested(Vlnv, required=True)
    request_id = _optional(ID)
    license_id = _optional(ID)
    offer_kind = _optional(CODE)
    project_name = _optional(validate.Length(min=1, max=200))
    reason = _optional(REASON)  # reason code or comment
    not_before = fields.AwareDateTime(allow_none=True, load_default=None)
    expires_at = fields.AwareDateTime(allow_none=True, load_default=None)  # None: perpetual


@register("ipmarket.license.requested.v1")
class LicenseRequested(LicenseEventData):
    pass


@register("ipmarket.license.approved.v1")
class LicenseApproved(LicenseEventData):
    pass


@register("ipmarket.license.rejected.v1")
class LicenseRejected(LicenseEventData):
    pass


@register("ipmarket.license.denied.v1")
class LicenseDenied(LicenseEventData):
    """Refused by export-control screening; `reason` carries the reason code."""


@register("ipmarket.license.issued.v1")
class LicenseIssued(LicenseEventData):
    pass


@register("ipmarket.license.suspended.v1")
class LicenseSuspended(LicenseEventData):
    pass


@register("ipmarket.license.reinstated.v1")
class LicenseReinstated(LicenseEventData):
    pass


@register("ipmarket.license.revoked.v1")
class LicenseRevoked(LicenseEventData):
    pass


@register("ipmarket.license.renewed.v1")
class LicenseRenewed(LicenseEventData):
    pass


@register("ipmarket.license.expiring.v1")
class LicenseExpiring(LicenseEventData):
    days_ahead = fields.Integer(required=True, validate=validate.OneOf((30, 7, 1)))


@register("ipmarket.license.expired.v1")
class LicenseExpired(LicenseEventData):
    pass


# --- purchasing: quotes, orders, invoices ----------------------------------------------------
# Amounts are decimal strings with their currency (exact); both parties are named, as above.

class PurchaseEventData(EventData):
    vendor_id = fields.String(required=True, validate=ID)
    licensee_id = fields.String(required=True, validate=ID)
    core_id = fields.String(required=True, validate=ID)
    vlnv = fields.Nested(Vlnv, required=True)
    offer_id = fields.String(required=True, validate=CODE)
    quote_id = _optional(ID)
    order_id = _optional(ID)
    request_id = _optional(ID)
    license_id = _optional(ID)
    invoice_id = _optional(ID)
    invoice_number = _optional(validate.Length(min=1, max=32))
    amount = fields.Decimal(as_string=True, allow_none=True, load_default=None, validate=AMOUNT)
    paid_amount = fields.Decimal(as_string=True, allow_none=True, load_default=None,
                                 validate=AMOUNT)
    currency = fields.String(allow_none=True, load_default=None,
                             validate=validate.OneOf(("USD", "CNY", "HKD")))
    valid_until = fields.AwareDateTime(allow_none=True, load_default=None)  # of a quote
    due_at = fields.AwareDateTime(allow_none=True, load_default=None)  # of an invoice
    reason = _optional(REASON)


@register("ipmarket.quote.requested.v1")
class QuoteRequested(PurchaseEventData):
    pass


@register("ipmarket.quote.sent.v1")
class QuoteSent(PurchaseEventData):
    pass


@register("ipmarket.quote.accepted.v1")
class QuoteAccepted(PurchaseEventData):
    pass


@register("ipmarket.quote.declined.v1")
class QuoteDeclined(PurchaseEventData):
    pass


@register("ipmarket.order.created.v1")
class OrderCreated(PurchaseEventData):
    pass


@register("ipmarket.invoice.issued.v1")
class InvoiceIssued(PurchaseEventData):
    pass


@register("ipmarket.invoice.overdue.v1")
class InvoiceOverdue(PurchaseEventData):
    pass


@register("ipmarket.order.paid.v1")
class OrderPaid(PurchaseEventData):
    """Paid in full; the license was issued in the same transaction (`license_id`)."""


@register("ipmarket.order.cancelled.v1")
class OrderCancelled(PurchaseEventData):
    pass


@register("ipmarket.order.refunded.v1")
class OrderRefunded(PurchaseEventData):
    """The license was revoked in the same transaction."""
