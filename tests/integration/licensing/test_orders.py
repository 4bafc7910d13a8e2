"""Orders in-process on SQLite and on PostgreSQL: created only from cleared requests of priced
offers, idempotent, paid by bank transfer (partial payments leave them pending), fulfilled by
issuing the license in the payment's transaction, cancelled, refunded (license revoked);
concurrent payments issue one license."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from tests.integration.licensing.conftest import (
    approved_request,
    place_order,
    provider_callback,
    request_body,
)
from tests.integration.licensing.test_api import events_of

pytestmark = pytest.mark.databases("sqlite", "postgresql")


def transfer(client, market, order, amount, currency="USD", reference="HSBC-001", who="vendor"):
    return client.post(
        f"/v1/orders/{order['id']}/payments",
        json={
            "amount": amount,
            "currency": currency,
            "paid_on": "2026-11-20",
            "reference": reference,
        },
        headers=market.parties[who].headers,
    )


def test_free_offers_skip_payment_and_priced_ones_wait_for_an_order(client, market):
    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    core = market.core(
        vendor, price={"amount": "100.00", "currency": "HKD"}, requires_approval=False
    )
    evaluation = client.post(
        "/v1/license-requests", json=request_body(core, offer_id="eval"), headers=licensee.headers
    ).json
    assert evaluation["state"] == "issued"
    priced = client.post(
        "/v1/license-requests", json=request_body(core), headers=licensee.headers
    ).json
    assert priced["state"] == "approved" and priced["license_id"] is None
    assert market.count("license") == 1
    zero = market.core(
        vendor, price={"amount": "0", "currency": "CNY"}, requires_approval=False
    )  # paid for by someone else: free to use
    assert (
        client.post("/v1/license-requests", json=request_body(zero), headers=licensee.headers).json[
            "state"
        ]
        == "issued"
    )


def test_an_order_is_read_by_both_parties_with_its_invoice_and_payments(client, market):
    """On SQLite a session holds the write lock from its first statement: reading the order
    and then its invoice in a second session waited on itself until "database is locked"."""
    order = place_order(client, market)
    assert transfer(client, market, order, "100.00").status_code == 201
    for who in ("licensee", "vendor", "admin"):
        response = client.get(f"/v1/orders/{order['id']}", headers=market.parties[who].headers)
        assert response.status_code == 200, response.json
        assert response.json["invoice"]["number"] == order["invoice"]["number"]
        assert [p["amount"] for p in response.json["payments"]] == ["100.00"]
        assert response.json["outstanding"] == {"amount": "24900.00", "currency": "USD"}


def test_an_order_needs_an_approved_request(client, market):
    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    core = market.core(vendor, price={"amount": "100.00", "currency": "CNY"})
    pending = client.post(
        "/v1/license-requests", json=request_body(core), headers=licensee.headers
    ).json
    assert pending["state"] == "pending_approval"
    response = client.post(
        "/v1/orders", json={"request_id": pending["id"]}, headers=licensee.headers
    )
    assert response.status_code == 409 and response.json["state"] == "pending_approval"
    assert market.count("purchase_order") == 0

    approved = client.post(
        f"/v1/license-requests/{pending['id']}/approve", json={}, headers=vendor.headers
    ).json
    assert approved["state"] == "approved"
    other = market.parties["other licensee"]
    assert (
        client.post(
            "/v1/orders", json={"request_id": pending["id"]}, headers=other.headers
        ).status_code
        == 422
    )  # not its request
    order = client.post("/v1/orders", json={"request_id": pending["id"]}, headers=licensee.headers)
    assert order.status_code == 201
    assert order.json["price"] == {"amount": "100.00", "currency": "CNY"}
    assert order.json["state"] == "pending_payment"


def test_idempotency_key_returns_the_first_order(client, market):
    request = approved_request(client, market)
    licensee = market.parties["licensee"]
    headers = {**licensee.headers, "Idempotency-Key": "order-1"}
    first = client.post("/v1/orders", json={"request_id": request["id"]}, headers=headers)
    again = client.post("/v1/orders", json={"request_id": request["id"]}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"]
    without_key = client.post(
        "/v1/orders", json={"request_id": request["id"]}, headers=licensee.headers
    )
    assert without_key.status_code == 409 and without_key.json["order_id"] == first.json["id"]
    assert market.count("purchase_order") == 1 and market.count("invoice") == 1
    for name, seen in [("licensee", 1), ("vendor", 1), ("other licensee", 0)]:
        listed = client.get(
            "/v1/orders?state=pending_payment", headers=market.parties[name].headers
        ).json["items"]
        assert [o["invoice"]["number"] for o in listed] == ["INV-000001"] * seen, name
    assert len(events_of(market, "ipmarket.order.created.v1")) == 1


def test_partial_transfer_leaves_the_order_pending_and_the_last_one_issues(client, market):
    order = place_order(client, market)
    partial = transfer(client, market, order, "10000.00")
    assert partial.status_code == 201, partial.json
    assert partial.json["state"] == "pending_payment"
    assert partial.json["outstanding"] == {"amount": "15000.00", "currency": "USD"}
    assert market.count("license") == 0
    too_much = transfer(client, market, order, "15000.01")
    assert too_much.status_code == 422 and too_much.json["errors"][0]["field"] == "amount"
    wrong_currency = transfer(client, market, order, "100.00", currency="HKD")
    assert wrong_currency.status_code == 422
    assert wrong_currency.json["errors"][0]["field"] == "currency"
    licensee_may_not = transfer(client, market, order, "15000.00", who="licensee")
    assert licensee_may_not.status_code == 403

    final = transfer(client, market, order, "15000.00", reference="HSBC-002")
    assert final.json["state"] == "fulfilled", final.json
    assert final.json["invoice"]["state"] == "paid"
    assert [p["amount"] for p in final.json["payments"]] == ["10000.00", "15000.00"]
    license = client.get(
        f"/v1/licenses/{final.json['license_id']}", headers=market.parties["licensee"].headers
    ).json
    assert license["state"] == "active"
    verified = client.post("/v1/licenses/verify", json={"license": license["token"]}).json
    assert verified["result"] == "VALID"
    paid = events_of(market, "ipmarket.order.paid.v1")
    assert [e["license_id"] for e in paid] == [license["id"]]
    assert paid[0]["vendor_id"] and paid[0]["licensee_id"]
    assert transfer(client, market, order, "1.00").status_code == 409
    audit = client.get(
        f"/v1/audit?subject_id={order['id']}", headers=market.parties["admin"].headers
    )
    actions = [e["action"] for e in audit.json["items"]]
    assert actions == [
        "order.created",
        "invoice.issued",
        "order.payment_recorded",
        "order.payment_recorded",
        "order.paid",
    ]


def test_cancel_before_payment_and_refund_revokes_the_license(client, market):
    licensee, vendor = market.parties["licensee"], market.parties["vendor"]
    order = place_order(client, market)
    cancelled = client.post(
        f"/v1/orders/{order['id']}/cancel", json={"reason": "budget cut"}, headers=licensee.headers
    )
    assert cancelled.status_code == 200 and cancelled.json["state"] == "cancelled"
    assert cancelled.json["invoice"]["state"] == "void"
    assert (
        client.get(f"/v1/license-requests/{order['request_id']}", headers=licensee.headers).json[
            "state"
        ]
        == "cancelled"
    )
    assert transfer(client, market, order, "25000.00").status_code == 409

    order = place_order(client, market)
    assert (
        client.post(
            f"/v1/orders/{order['id']}/refund", json={"reason": "x"}, headers=vendor.headers
        ).status_code
        == 409
    )  # nothing paid yet
    paid = transfer(client, market, order, "25000.00").json
    assert (
        client.post(
            f"/v1/orders/{order['id']}/cancel", json={"reason": "late"}, headers=licensee.headers
        ).status_code
        == 409
    )
    refunded = client.post(
        f"/v1/orders/{order['id']}/refund", json={"reason": "defect"}, headers=vendor.headers
    )
    assert refunded.status_code == 200 and refunded.json["state"] == "refunded"
    license = client.get(f"/v1/licenses/{paid['license_id']}", headers=licensee.headers).json
    assert license["state"] == "revoked"
    assert (
        client.post("/v1/licenses/verify", json={"license": license["token"]}).json["result"]
        == "REVOKED"
    )
    assert len(events_of(market, "ipmarket.order.cancelled.v1")) == 1
    assert len(events_of(market, "ipmarket.order.refunded.v1")) == 1
    assert len(events_of(market, "ipmarket.license.revoked.v1")) == 1


def test_bank_transfer_and_callback_at_once_issue_one_license(app, market, provider_secret):
    """Both complete the order; the order's row lock lets one win, the other finds it paid."""
    for attempt in range(5):
        client = app.test_client()
        order = place_order(client, market)
        barrier = threading.Barrier(2)
        results = {}

        def by_transfer():
            barrier.wait()
            results["transfer"] = transfer(app.test_client(), market, order, "25000.00").status_code

        def by_callback():
            barrier.wait()
            results["callback"] = provider_callback(
                app.test_client(), order, payment_id=f"race-{attempt}"
            ).status_code

        threads = [threading.Thread(target=by_transfer), threading.Thread(target=by_callback)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(results.values()) == [201, 409], results
        with market.context.engine.connect() as conn:
            assert (
                conn.execute(
                    sa.text("SELECT count(*) FROM license WHERE request_id = :r"),
                    {"r": order["request_id"]},
                ).scalar()
                == 1
            )
            assert (
                conn.execute(
                    sa.text("SELECT count(*) FROM payment WHERE order_id = :o"), {"o": order["id"]}
                ).scalar()
                == 1
            )
