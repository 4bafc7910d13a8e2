"""The services' JSON bodies, written by orjson (shared/http/app.py's BoundedJSONProvider), are
byte for byte what Flask's own provider wrote with the services' settings (schema order, UTF-8
as it is, compact), dates, Decimals, UUIDs and dataclasses included."""

import dataclasses
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from shared.http.app import BoundedJSONProvider


@dataclasses.dataclass
class Price:
    amount: Decimal
    currency: str


BODY = {
    "title_zh": "USB 3.2 设备控制器",
    "z_first": 1,  # not sorted: fields stay in their schema's order
    "a_then": [1.5, -2, None, True, {"nested": "é"}],
    "published_at": datetime(2026, 12, 3, 15, 4, 48, tzinfo=UTC),
    "on": date(2026, 12, 3),
    "price": Price(Decimal("25000.00"), "CNY"),
    "amount": Decimal("0.10"),
    "id": uuid.UUID("6f1c2a4e-1111-2222-3333-444455556666"),
    "html": Markup("<b>x</b>"),
    7: "a key that is not a string",
}


def providers():
    ours = Flask("ours")
    ours.json = BoundedJSONProvider(ours)
    flasks = Flask("flasks")
    flasks.json = DefaultJSONProvider(flasks)
    flasks.json.ensure_ascii = flasks.json.sort_keys = False
    return ours, flasks


def test_a_response_is_what_flasks_provider_wrote():
    ours, flasks = providers()
    with ours.app_context():
        written = ours.json.response(BODY).get_data()
    with flasks.app_context():
        assert written == flasks.json.response(BODY).get_data()
    assert "设备控制器".encode() in written and written.endswith(b"\n")


def test_dumps_with_or_without_the_standard_librarys_options():
    ours, flasks = providers()
    assert ours.json.dumps(BODY) == flasks.json.dumps(BODY, separators=(",", ":"))
    assert ours.json.dumps(BODY, indent=2) == flasks.json.dumps(BODY, indent=2)
