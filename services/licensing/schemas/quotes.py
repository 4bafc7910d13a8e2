"""Quotes: asking, answering, accepting and declining, and the quote as the API answers it."""

from __future__ import annotations

from marshmallow import fields, validate

from services.licensing.domain.quotes import QUOTE_STATES
from services.licensing.schemas.common import NEXT, TEXT, MoneyIn, MoneyOut, Page, State, Timestamp
from services.licensing.schemas.license_requests import LicenseRequestIn, LicenseRequestOut
from shared.bounds import Schema
from shared.http.api_docs import WholeNumber


class QuoteIn(LicenseRequestIn):
    """A quote is asked for what a license request names, plus the volume to price."""

    volume = WholeNumber(required=True, validate=validate.Range(min=1, max=10**12))
    details = fields.String(validate=validate.Length(min=1, max=4000))


class QuoteAnswer(MoneyIn):
    terms = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    valid_until = fields.AwareDateTime(required=True)


class Accept(Schema):
    """No fields: accepting takes the quote as sent."""


class Reject(Schema):
    """The vendor's no: the licensee is told why."""

    reason = fields.String(required=True, validate=TEXT)


class Decline(Schema):
    reason = fields.String(validate=TEXT)


class QuoteQuery(Page):
    state = fields.String(validate=validate.OneOf(QUOTE_STATES))


class QuoteOut(Schema):
    id = fields.String()
    state = State(QUOTE_STATES)
    licensee_id = fields.String()
    vendor_id = fields.String()
    core_id = fields.String()
    vlnv = fields.Dict(keys=fields.String(), values=fields.String())
    offer_id = fields.String()
    project_name = fields.String()
    intended_use = fields.String()
    end_use_country = fields.String()
    version_range = fields.String(allow_none=True)
    volume = fields.Integer()
    details = fields.String(allow_none=True)
    price = fields.Nested(MoneyOut, allow_none=True)
    terms = fields.String(allow_none=True)
    valid_until = Timestamp(allow_none=True)
    request_id = fields.String(allow_none=True)
    rejection_reason = fields.String(
        allow_none=True, metadata={"description": "Why the vendor rejected it (state rejected)."}
    )
    created_at = Timestamp()
    updated_at = Timestamp()


class AcceptedQuoteOut(QuoteOut):
    request = fields.Nested(
        LicenseRequestOut, metadata={"description": "The license request the acceptance submitted."}
    )


class QuotePage(Schema):
    items = fields.List(fields.Nested(QuoteOut))
    next = NEXT()
