"""The data of the events licensing publishes: both parties and the core, valid against the
contract (shared/events/licensing.py)."""

from __future__ import annotations

from services.licensing.event_data import license_event, purchase_event
from services.licensing.purchasing_models import Order, Quote
from shared.events import licensing as events
from shared.events.registry import schema_for
from tests.unit.services.licensing.test_license_decisions import a_request
from tests.unit.services.licensing.test_licenses import VLNV, a_license


def valid(event_type: str, data: dict) -> bool:
    return schema_for(event_type).validate(data) == {}


def test_a_request_event_names_both_parties_and_the_project():
    data = license_event(a_request(), reason="NO_LICENSE_REQUIRED")
    assert (data["vendor_id"], data["licensee_id"], data["request_id"]) == ("V", "C", "R1")
    assert data["project_name"] == "Falcon" and valid(events.LICENSE_REQUESTED, data)


def test_a_license_event_states_its_window():
    data = license_event(a_license())
    assert data["license_id"] == "L1" and data["expires_at"].endswith("+00:00")
    assert valid(events.LICENSE_ISSUED, data)


def test_an_order_event_states_its_price_and_what_was_paid():
    order = Order(
        id="O1",
        request_id="R1",
        quote_id=None,
        licensee_id="C",
        vendor_id="V",
        core_id="K",
        vlnv=VLNV,
        offer_id="eval",
        license_id=None,
        currency="HKD",
        amount_minor=1_000_050,
        paid_minor=50,
    )
    data = purchase_event(order)
    assert (data["amount"], data["paid_amount"], data["currency"]) == ("10000.50", "0.50", "HKD")
    assert valid(events.ORDER_CREATED, data)


def test_a_quote_event_names_the_quote():
    quote = Quote(
        id="Q1",
        request_id=None,
        licensee_id="C",
        vendor_id="V",
        core_id="K",
        vlnv=VLNV,
        offer_id="eval",
    )
    data = purchase_event(quote, reason="too dear")
    assert data["quote_id"] == "Q1" and valid(events.QUOTE_DECLINED, data)
    assert valid(events.QUOTE_REJECTED, purchase_event(quote, reason="not for 12 nm"))


def test_every_event_type_named_in_the_contract_is_registered():
    names = [
        value
        for name, value in vars(events).items()
        if name.isupper() and isinstance(value, str) and value.startswith("ipmarket.")
    ]
    assert len(names) == 24  # the license, purchasing, export-clearance and screening-rule events
    assert all(schema_for(name) is not None for name in names)
