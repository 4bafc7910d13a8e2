"""Events published by the licensing service.

Every event names both counterparties (`vendor_id`, `licensee_id`) so that the notify service can
tell both sides without asking anyone, and the core it is about.
"""

from decimal import Decimal

from marshmallow import fields, validate

from shared import bounds
from shared.events.catalog import CODE, ID, VERSION, Deliverable, Vlnv
from shared.events.registry import EventData, register

# The event types this service emits: publish them by these names, never by a literal.
LICENSE_REQUESTED = "ipmarket.license.requested.v1"
LICENSE_APPROVED = "ipmarket.license.approved.v1"
LICENSE_REJECTED = "ipmarket.license.rejected.v1"
LICENSE_DENIED = "ipmarket.license.denied.v1"
LICENSE_EXPORT_CLEARED = "ipmarket.license.export_cleared.v1"
LICENSE_ISSUED = "ipmarket.license.issued.v1"
LICENSE_SUSPENDED = "ipmarket.license.suspended.v1"
LICENSE_REINSTATED = "ipmarket.license.reinstated.v1"
LICENSE_REVOKED = "ipmarket.license.revoked.v1"
LICENSE_RENEWED = "ipmarket.license.renewed.v1"
LICENSE_EXPIRING = "ipmarket.license.expiring.v1"
LICENSE_EXPIRED = "ipmarket.license.expired.v1"
QUOTE_REQUESTED = "ipmarket.quote.requested.v1"
QUOTE_SENT = "ipmarket.quote.sent.v1"
QUOTE_ACCEPTED = "ipmarket.quote.accepted.v1"
QUOTE_DECLINED = "ipmarket.quote.declined.v1"
QUOTE_REJECTED = "ipmarket.quote.rejected.v1"  # by the vendor, with its reason
ORDER_CREATED = "ipmarket.order.created.v1"
INVOICE_ISSUED = "ipmarket.invoice.issued.v1"
INVOICE_OVERDUE = "ipmarket.invoice.overdue.v1"
ORDER_PAID = "ipmarket.order.paid.v1"
ORDER_CANCELLED = "ipmarket.order.cancelled.v1"
ORDER_REFUNDED = "ipmarket.order.refunded.v1"
SCREENING_RULES_PUBLISHED = "ipmarket.screening_rules.published.v1"

REQUEST_STATES = (
    "screening",
    "pending_approval",
    "approved",
    "rejected",
    "denied",
    "expired",
    "issued",
    "cancelled",
)  # approved: cleared, awaiting an order if priced
LICENSE_STATES = ("active", "suspended", "revoked", "expired")
AWAITING = ("approval", "export_review")  # the vendor's approvers; the export reviewers


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
    # On a request: whose decision it now waits for (None: nobody's, or not said), so that
    # notify tells the vendor's approvers or the platform's export reviewers.
    awaiting = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(AWAITING))
    # On a license's events: the files it grants (kind, name, SHA-256, as the catalog listed
    # them when it was issued) and the destination it was screened for. None: not said (events
    # from before these fields).
    deliverables = fields.List(
        fields.Nested(Deliverable),
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=bounds.MAX_LIST),
    )
    end_use_country = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(equal=2)
    )


@register(LICENSE_REQUESTED)
class LicenseRequested(LicenseEventData):
    pass


@register(LICENSE_EXPORT_CLEARED)
class LicenseExportCleared(LicenseEventData):
    """An export reviewer cleared a request screening had held; `awaiting` "approval" when it
    now waits for the vendor's approvers (None: it goes on to issue or to its order)."""


@register(LICENSE_APPROVED)
class LicenseApproved(LicenseEventData):
    pass


@register(LICENSE_REJECTED)
class LicenseRejected(LicenseEventData):
    pass


@register(LICENSE_DENIED)
class LicenseDenied(LicenseEventData):
    """Refused by export-control screening; `reason` carries the reason code."""


@register(LICENSE_ISSUED)
class LicenseIssued(LicenseEventData):
    pass


@register(LICENSE_SUSPENDED)
class LicenseSuspended(LicenseEventData):
    pass


@register(LICENSE_REINSTATED)
class LicenseReinstated(LicenseEventData):
    pass


@register(LICENSE_REVOKED)
class LicenseRevoked(LicenseEventData):
    pass


@register(LICENSE_RENEWED)
class LicenseRenewed(LicenseEventData):
    pass


@register(LICENSE_EXPIRING)
class LicenseExpiring(LicenseEventData):
    days_ahead = fields.Integer(required=True, validate=validate.OneOf((30, 7, 1)))


@register(LICENSE_EXPIRED)
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
    paid_amount = fields.Decimal(
        as_string=True, allow_none=True, load_default=None, validate=AMOUNT
    )
    currency = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(("USD", "CNY", "HKD"))
    )
    valid_until = fields.AwareDateTime(allow_none=True, load_default=None)  # of a quote
    due_at = fields.AwareDateTime(allow_none=True, load_default=None)  # of an invoice
    reason = _optional(REASON)


@register(QUOTE_REQUESTED)
class QuoteRequested(PurchaseEventData):
    pass


@register(QUOTE_SENT)
class QuoteSent(PurchaseEventData):
    pass


@register(QUOTE_ACCEPTED)
class QuoteAccepted(PurchaseEventData):
    pass


@register(QUOTE_DECLINED)
class QuoteDeclined(PurchaseEventData):
    pass


@register(QUOTE_REJECTED)
class QuoteRejected(PurchaseEventData):
    pass


@register(ORDER_CREATED)
class OrderCreated(PurchaseEventData):
    pass


@register(INVOICE_ISSUED)
class InvoiceIssued(PurchaseEventData):
    pass


@register(INVOICE_OVERDUE)
class InvoiceOverdue(PurchaseEventData):
    pass


@register(ORDER_PAID)
class OrderPaid(PurchaseEventData):
    """Paid in full; the license was issued in the same transaction (`license_id`)."""


@register(ORDER_CANCELLED)
class OrderCancelled(PurchaseEventData):
    pass


@register(ORDER_REFUNDED)
class OrderRefunded(PurchaseEventData):
    """The license was revoked in the same transaction."""


# --- export screening ------------------------------------------------------------------------
# Bounded so that the largest rule set is one Kafka message (< 1 MB): the API takes no larger.
MAX_RULES = 100
MAX_DESTINATIONS = 250
COUNTRY = validate.Length(min=1, max=2)  # ISO 3166 alpha-2, or "*" for any


class ScreeningRule(EventData):
    rule_id = fields.String(required=True, validate=CODE)
    eccn = fields.String(required=True, validate=validate.Length(min=1, max=8))  # or a pattern
    destinations = fields.List(
        fields.String(validate=COUNTRY),
        required=True,
        validate=validate.Length(min=1, max=MAX_DESTINATIONS),
    )
    outcome = fields.String(required=True, validate=validate.OneOf(("allow", "review", "deny")))
    reason_code = fields.String(required=True, validate=CODE)


@register(SCREENING_RULES_PUBLISHED)
class ScreeningRulesPublished(EventData):
    """A new version of the export-screening rule table is in force (the whole table, so that
    a consumer screens with it as licensing does: shared/export_screening.py)."""

    version = fields.Integer(required=True, validate=VERSION)
    rules = fields.List(
        fields.Nested(ScreeningRule), required=True, validate=validate.Length(max=MAX_RULES)
    )
    embargoed = fields.List(
        fields.String(validate=validate.Length(equal=2)),
        required=True,
        validate=validate.Length(max=MAX_DESTINATIONS),
    )
    published_at = fields.AwareDateTime(required=True)
