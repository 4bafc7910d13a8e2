"""The payment provider's signed callback (see payments.py)."""

from __future__ import annotations

import json
import time

from flask import request
from flask_smorest import abort
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from services.licensing import payments
from services.licensing.api.common import V1, committed, keyring
from services.licensing.schemas.payments import ProviderCallback, ProviderPaymentOut
from shared import bounds, config
from shared.db.schema import utcnow
from shared.errors import Conflict, UnsupportedMediaType
from shared.http.api_docs import Blueprint, problems
from shared.http.problems import problem

blp = Blueprint("payments", __name__, url_prefix=V1, description="Payment provider callbacks")
PAYMENT_TIMESTAMP = {
    "in": "header",
    "name": payments.TIMESTAMP_HEADER,
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9]+$"},
    "description": "Unix seconds of the signature.",
}
PAYMENT_SIGNATURE = {
    "in": "header",
    "name": payments.SIGNATURE_HEADER,
    "required": True,
    "schema": {"type": "string"},
    "description": "HMAC of the timestamp and body with the provider's secret (see payments.py).",
}


@blp.post("/payments/callback")
@blp.response(201, ProviderPaymentOut)
@blp.alt_response(
    200, schema=ProviderPaymentOut, success=True, description="This payment id was recorded before."
)
@blp.doc(
    parameters=[PAYMENT_TIMESTAMP, PAYMENT_SIGNATURE],
    requestBody={"required": True, "content": {"application/json": {"schema": ProviderCallback}}},
)
@problems(400, 409, 413, 415, 422, 503)
def provider_callback():
    """A payment provider reports a payment: signed (see payments.py), idempotent by its
    payment id; the amount and currency must settle the order."""
    secret = config.get("IPMARKET_PAYMENT_PROVIDER_SECRET")
    if secret is None:
        return problem(503, "Service unavailable", "no payment provider is configured")
    if not request.is_json:
        raise UnsupportedMediaType(
            f"send the callback as application/json, not {request.mimetype or 'untyped'}",
            field="Content-Type",
        )
    raw = request.get_data()
    payments.check_signature(
        secret,
        request.headers.get(payments.TIMESTAMP_HEADER),
        request.headers.get(payments.SIGNATURE_HEADER),
        raw,
        int(time.time()),
    )
    try:
        data = ProviderCallback().load(bounds.loads(raw))
    except json.JSONDecodeError:
        abort(400, message="the body is not JSON")
    except ValidationError as error:
        abort(422, messages={"json": error.messages})
    try:
        payment, recorded = committed(
            payments.record_provider_payment, keyring(), data, utcnow().date()
        )
    except IntegrityError:  # the same payment id for another order, at the same moment
        raise Conflict(
            "this payment id was recorded for another order", field="payment_id"
        ) from None
    return {
        "payment_id": payment.provider_payment_id,
        "order_id": payment.order_id,
        "recorded": recorded,
    }, 201 if recorded else 200
