"""What the licensing schemas share: ids, countries, money, pages and their cursors, reasons and
comments, timestamps and states as the OpenAPI document shows them."""

from __future__ import annotations

from datetime import datetime

from marshmallow import fields, validate

from services.licensing.domain.money import CURRENCIES
from shared.bounds import INT64_MAX, Schema
from shared.countries import CountryCode

COUNTRY = CountryCode()
VLNV = validate.Regexp(
    r"^[^:\s]+:[^:\s]+:[^:\s]+:[^:\s]+$", error="must be vendor:library:name:version"
)


ID = validate.Length(min=1, max=36)
CURSOR_DESCRIPTION = "The `next` of the previous page: the page after it."


class Page(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    # (a larger offset is refused as no store can hold it: say so in the document)
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=INT64_MAX))
    cursor = fields.String(validate=ID, metadata={"description": CURSOR_DESCRIPTION})
    # An organisation is both a vendor and a licensee: these ask for one side only.
    vendor_id = fields.String(
        validate=ID, metadata={"description": "Only those whose vendor is this organisation."}
    )
    licensee_id = fields.String(
        validate=ID, metadata={"description": "Only those whose licensee is this organisation."}
    )


class Comment(Schema):
    comment = fields.String(validate=validate.Length(min=1, max=2000))


class RequiredComment(Schema):
    comment = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class Reason(Schema):
    reason = fields.String(validate=validate.Length(min=1, max=2000))


class RequiredReason(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


AMOUNT = validate.Regexp(
    r"^[0-9]{1,13}(\.[0-9]{1,2})?$", error="must be a decimal string such as '25000.00'"
)
TEXT = validate.Length(min=1, max=2000)


class MoneyIn(Schema):
    amount = fields.String(required=True, validate=AMOUNT)
    currency = fields.String(required=True, validate=validate.OneOf(CURRENCIES))


AMOUNT_PATTERN = AMOUNT.regex.pattern


class _Timestamp(fields.String):
    """RFC 3339 in UTC, from an aware datetime (the rows' UTCDateTime) or an ISO string."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, datetime):
            value = value.isoformat()
        return super()._serialize(value, attr, obj, **kwargs)


def Timestamp(metadata: dict | None = None, **kwargs) -> fields.String:  # noqa: N802
    return _Timestamp(metadata={"format": "date-time", **(metadata or {})}, **kwargs)


def NEXT() -> fields.String:  # noqa: N802 - used like a field class
    return fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Pass as `cursor` for the next page; null: this is the last."},
    )


def State(states, **kwargs) -> fields.String:  # noqa: N802 - used like a field class
    return fields.String(metadata={"enum": list(states)}, **kwargs)


class MoneyOut(Schema):
    """A Money or its as_dict(): Money.amount is a Decimal with exactly the currency's
    decimals, so its string is the exact amount ("25000.00")."""

    amount = fields.String(
        metadata={
            "pattern": AMOUNT_PATTERN,
            "examples": ["25000.00"],
            "description": "Exact decimal, as a string.",
        }
    )
    currency = fields.String(metadata={"enum": list(CURRENCIES)})
