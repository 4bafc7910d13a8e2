"""The payment provider's callback and the answer to it."""

from __future__ import annotations

from marshmallow import fields, validate

from services.licensing.schemas.common import ID, MoneyIn
from shared.bounds import Schema


class ProviderCallback(MoneyIn):
    payment_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    order_id = fields.String(required=True, validate=ID)


class ProviderPaymentOut(Schema):
    payment_id = fields.String()
    order_id = fields.String()
    recorded = fields.Boolean(
        metadata={
            "description": "False: this payment id was recorded "
            "before (the callback is idempotent)."
        }
    )
