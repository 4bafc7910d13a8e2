"""Request and response schemas of the licensing API (marshmallow; unknown fields are refused)."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from services.licensing import invoices, quotes
from services.licensing.domain.money import CURRENCIES
from services.licensing.domain.orders import ORDER_STATES
from services.licensing.domain.screening import OUTCOMES
from shared import bounds
from shared.api_docs import WholeNumber
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


CURSOR_DESCRIPTION = "The `next` of the previous page: the page after it."


class Page(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
    cursor = fields.String(validate=ID, metadata={"description": CURSOR_DESCRIPTION})


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
    class Meta:
        json_schema = {"oneOf": [{"required": ["months"]}, {"required": ["expires_at"]}]}

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
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
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
    cursor = fields.String(validate=validate.Regexp(r"^[0-9]{1,18}$"),
                           metadata={"description": CURSOR_DESCRIPTION})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


# --- serialisation ---------------------------------------------------------------------------


# --- purchasing ------------------------------------------------------------------------------

AMOUNT = validate.Regexp(r"^[0-9]{1,13}(\.[0-9]{1,2})?$",
                         error="must be a decimal string such as '25000.00'")
TEXT = validate.Length(min=1, max=2000)


class QuoteIn(LicenseRequestIn):
    """A quote is asked for what a license request names, plus the volume to price."""

    volume = WholeNumber(required=True, validate=validate.Range(min=1, max=10**12))
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
    state = fields.String(validate=validate.OneOf(ORDER_STATES))


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


# --- answers ---------------------------------------------------------------------------------
# What the API sends: the views of api.py and purchasing_api.py build plain dicts (timestamps
# already in ISO 8601), which these schemas dump and the OpenAPI document shows.

AMOUNT_PATTERN = AMOUNT.regex.pattern


def Timestamp(metadata: dict | None = None, **kwargs) -> fields.String:  # noqa: N802
    return fields.String(metadata={"format": "date-time", **(metadata or {})}, **kwargs)


def NEXT() -> fields.String:  # noqa: N802 - used like a field class
    return fields.String(required=True, allow_none=True, metadata={
        "description": "Pass as `cursor` for the next page; null: this is the last."})


def State(states, **kwargs) -> fields.String:  # noqa: N802 - used like a field class
    return fields.String(metadata={"enum": list(states)}, **kwargs)


class MoneyOut(Schema):
    amount = fields.String(metadata={"pattern": AMOUNT_PATTERN, "examples": ["25000.00"],
                                     "description": "Exact decimal, as a string."})
    currency = fields.String(metadata={"enum": list(CURRENCIES)})


class DecisionComment(Schema):
    author_id = fields.String(allow_none=True, metadata={
        "description": "The organisation whose person or key decided."})
    author_role = fields.String(metadata={"enum": ["admin", "vendor"]})
    decision = fields.String(metadata={
        "enum": ["review_allow", "review_deny", "approved", "rejected"]})
    comment = fields.String()
    at = Timestamp()


class LicenseRequestOut(Schema):
    id = fields.String()
    state = State(REQUEST_STATES)
    licensee_id = fields.String()
    vendor_id = fields.String()
    core_id = fields.String()
    vlnv = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "vendor, library, name and version of the core version requested"})
    version_constraint = fields.String()
    offer_id = fields.String()
    offer_kind = fields.String()
    project_name = fields.String()
    intended_use = fields.String()
    end_use_country = fields.String()
    screening = fields.Dict(allow_none=True, metadata={
        "description": "outcome, reason_code, rule_id, rule_set_version"})
    decision_comment = fields.String(allow_none=True, metadata={
        "description": "The latest decision's comment (all of them are in `comments`)."})
    comments = fields.List(fields.Nested(DecisionComment), metadata={
        "description": "Every decision's comment, oldest first: the export review's and the "
                       "vendor's, each with who wrote it and when."})
    license_id = fields.String(allow_none=True)
    created_at = Timestamp()
    expires_at = Timestamp(allow_none=True)
    updated_at = Timestamp()


class LicenseOut(Schema):
    id = fields.String()
    state = State(LICENSE_STATES)
    state_reason = fields.String(allow_none=True)
    request_id = fields.String()
    licensee_id = fields.String()
    vendor_id = fields.String()
    core_id = fields.String()
    claims = fields.Dict(metadata={"description": "What the signed token says."})
    kid = fields.String()
    token = fields.String(metadata={"description": "Compact JWS (EdDSA) of `claims`."})
    not_before = Timestamp()
    expires_at = Timestamp(allow_none=True, metadata={"description": "None: perpetual"})
    issued_at = Timestamp()
    updated_at = Timestamp()


class RequestPage(Schema):
    items = fields.List(fields.Nested(LicenseRequestOut))
    next = NEXT()


class LicensePage(Schema):
    items = fields.List(fields.Nested(LicenseOut))
    next = NEXT()


class VerificationOut(Schema):
    result = fields.String(metadata={"enum": [
        "VALID", "EXPIRED", "NOT_YET_VALID", "SUSPENDED", "REVOKED", "BAD_SIGNATURE",
        "UNKNOWN_KEY", "MALFORMED", "WRONG_CORE"]})
    valid = fields.Boolean()
    detail = fields.String()
    license_id = fields.String(allow_none=True)
    claims = fields.Dict(allow_none=True)


class Jwk(Schema):
    kty = fields.String()
    crv = fields.String()
    x = fields.String()
    kid = fields.String()
    alg = fields.String()
    use = fields.String()


class Jwks(Schema):
    keys = fields.List(fields.Nested(Jwk))


class RuleSetOut(Schema):
    version = fields.Integer()
    rules = fields.List(fields.Nested(Rule))
    embargoed = fields.List(fields.String())
    comment = fields.String()
    created_by = fields.String(allow_none=True)
    created_at = Timestamp()


class AuditEntryOut(Schema):
    seq = fields.Integer()
    at = Timestamp()
    actor_id = fields.String(allow_none=True)
    actor_role = fields.String()
    action = fields.String()
    subject_type = fields.String()
    subject_id = fields.String()
    licensee_id = fields.String(allow_none=True)
    vendor_id = fields.String(allow_none=True)
    details = fields.Dict()


class AuditPage(Schema):
    items = fields.List(fields.Nested(AuditEntryOut))
    next = NEXT()


class QuoteOut(Schema):
    id = fields.String()
    state = State(quotes.QUOTE_STATES)
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
    created_at = Timestamp()
    updated_at = Timestamp()


class AcceptedQuoteOut(QuoteOut):
    request = fields.Nested(LicenseRequestOut, metadata={
        "description": "The license request the acceptance submitted."})


class QuotePage(Schema):
    items = fields.List(fields.Nested(QuoteOut))
    next = NEXT()


class PaymentOut(MoneyOut):
    id = fields.String()
    method = fields.String(metadata={"enum": ["bank_transfer", "provider"]})
    paid_on = fields.String(metadata={"format": "date"})
    reference = fields.String()
    provider_payment_id = fields.String(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    created_at = Timestamp()


class InvoiceOut(Schema):
    id = fields.String()
    number = fields.String()
    state = fields.String(metadata={"enum": ["open", "paid", "void"]})
    language = fields.String(metadata={"enum": list(invoices.LANGUAGES)})
    parties = fields.Dict()
    lines = fields.List(fields.Dict())
    total = fields.Nested(MoneyOut)
    payment_instructions = fields.String()
    issued_at = Timestamp()
    due_at = Timestamp()


class OrderOut(Schema):
    id = fields.String()
    state = State(ORDER_STATES)
    state_reason = fields.String(allow_none=True)
    request_id = fields.String()
    quote_id = fields.String(allow_none=True)
    licensee_id = fields.String()
    vendor_id = fields.String()
    core_id = fields.String()
    vlnv = fields.Dict(keys=fields.String(), values=fields.String())
    offer_id = fields.String()
    price = fields.Nested(MoneyOut)
    paid = fields.Nested(MoneyOut)
    outstanding = fields.Nested(MoneyOut)
    license_id = fields.String(allow_none=True)
    created_at = Timestamp()
    paid_at = Timestamp(allow_none=True)
    updated_at = Timestamp()
    invoice = fields.Nested(InvoiceOut, allow_none=True)
    payments = fields.List(fields.Nested(PaymentOut))


class OrderPage(Schema):
    items = fields.List(fields.Nested(OrderOut))
    next = NEXT()


class ProviderPaymentOut(Schema):
    payment_id = fields.String()
    order_id = fields.String()
    recorded = fields.Boolean(metadata={"description": "False: this payment id was recorded "
                                                       "before (the callback is idempotent)."})
