"""Request and response schemas of the licensing API (marshmallow; unknown fields are refused)."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from services.licensing import invoices, orders, quotes, screening
from services.licensing.money import CURRENCIES
from shared import bounds
from shared.bounds import Schema
from shared.countries import CountryCode
from shared.events.licensing import LICENSE_STATES, REQUEST_STATES

COUNTRY = CountryCode()
VLNV = validate.Regexp(r"^[^:\s]+:[^:\s]+:[^:\s]+:[^:\s]+$",
                       error="must be vendor:library:name:version")
ID = validate.Length(min=1, max=36)


# --- requests, licenses, screening ---------------------------------------------------------

class LicenseRequestIn(Schema):
    core_id = fields.String(required=True, validate=ID)
    offer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    version_range = fields.String(validate=validate.Length(min=1, max=200))
    project_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    intended_use = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    end_use_country = fields.String(required=True, validate=COUNTRY)


class Page(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class RequestQuery(Page):
    state = fields.String(validate=validate.OneOf(REQUEST_STATES))


class LicenseQuery(Page):
    state = fields.String(validate=validate.OneOf(LICENSE_STATES))


class Comment(Schema):
    comment = fields.String(validate=validate.Length(min=1, max=2000))


class RequiredComment(Schema):
    comment = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ReviewDecision(RequiredComment):
    outcome = fields.String(required=True, validate=validate.OneOf(("allow", "deny")))


class Reason(Schema):
    reason = fields.String(validate=validate.Length(min=1, max=2000))


class RequiredReason(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class Renewal(Schema):
    months = fields.Integer(validate=validate.Range(min=1, max=120))
    expires_at = fields.AwareDateTime()

    @validates_schema
    def one_of(self, data, **_):
        if ("months" in data) == ("expires_at" in data):
            raise ValidationError("give either months or expires_at", "months")


class VerifyIn(Schema):
    license = fields.String(required=True, validate=validate.Length(min=1, max=65536))
    core = fields.String(validate=VLNV)


class Rule(Schema):
    rule_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    eccn = fields.String(required=True, validate=validate.Regexp(
        r"^(\*|EAR99|[0-9][A-E][0-9*]{0,3}\*?)$",
        error="must be an ECCN (e.g. 3E001), EAR99, or a pattern such as 5E* or *"))
    destinations = fields.List(fields.String(validate=CountryCode(wildcard="*")), required=True,
                               validate=validate.Length(min=1, max=300))
    outcome = fields.String(required=True, validate=validate.OneOf(screening.OUTCOMES))
    reason_code = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Z][A-Z0-9_]{1,63}$", error="must be an UPPER_SNAKE reason code"))


class RuleSetIn(Schema):
    based_on = fields.Integer(required=True, validate=validate.Range(min=1,
                                                                     max=bounds.VERSION_MAX))
    rules = fields.List(fields.Nested(Rule), required=True, validate=validate.Length(max=1000))
    embargoed = fields.List(fields.String(validate=COUNTRY), required=True,
                            validate=validate.Length(max=300))
    comment = fields.String(required=True, validate=validate.Length(min=1, max=500))

    @validates_schema
    def unique_ids(self, data, **_):
        ids = [r["rule_id"] for r in data.get("rules", [])]
        if len(ids) != len(set(ids)):
            raise ValidationError("rule ids must be unique", "rules")


class AuditQuery(Schema):
    subject_id = fields.String(validate=validate.Length(min=1, max=64))
    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


# --- serialisation ---------------------------------------------------------------------------


# --- purchasing ------------------------------------------------------------------------------

AMOUNT = validate.Regexp(r"^[0-9]{1,13}(\.[0-9]{1,2})?$",
                         error="must be a decimal string such as '25000.00'")
TEXT = validate.Length(min=1, max=2000)


class QuoteIn(LicenseRequestIn):
    """A quote is asked for what a license request names, plus the volume to price."""

    volume = fields.Integer(required=True, strict=True,
                            validate=validate.Range(min=1, max=10**12))
    details = fields.String(validate=validate.Length(min=1, max=4000))


class MoneyIn(Schema):
    amount = fields.String(required=True, validate=AMOUNT)
    currency = fields.String(required=True, validate=validate.OneOf(CURRENCIES))


class QuoteAnswer(MoneyIn):
    terms = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    valid_until = fields.AwareDateTime(required=True)


class Accept(Schema):
    """No fields: accepting takes the quote as sent."""


class Decline(Schema):
    reason = fields.String(validate=TEXT)


class OrderIn(Schema):
    request_id = fields.String(required=True, validate=ID)


class OrderQuery(Page):
    state = fields.String(validate=validate.OneOf(orders.ORDER_STATES))


class QuoteQuery(Page):
    state = fields.String(validate=validate.OneOf(quotes.QUOTE_STATES))


class BankTransfer(MoneyIn):
    paid_on = fields.Date(required=True)
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200))


class InvoiceQuery(Schema):
    lang = fields.String(validate=validate.OneOf(invoices.LANGUAGES))


class ProviderCallback(MoneyIn):
    payment_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    order_id = fields.String(required=True, validate=ID)


# --- views -----------------------------------------------------------------------------------
