"""Orders with their invoice and payments."""

from __future__ import annotations

from marshmallow import fields, validate

from services.licensing import invoices
from services.licensing.domain.orders import ORDER_STATES
from services.licensing.schemas.common import ID, NEXT, MoneyIn, MoneyOut, Page, State, Timestamp
from shared.bounds import Schema


class OrderIn(Schema):
    request_id = fields.String(required=True, validate=ID)


class OrderQuery(Page):
    state = fields.String(validate=validate.OneOf(ORDER_STATES))


class BankTransfer(MoneyIn):
    paid_on = fields.Date(required=True)
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200))


class InvoiceQuery(Schema):
    lang = fields.String(validate=validate.OneOf(invoices.LANGUAGES))


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
