"""Invoices: numbered per vendor without gaps under concurrency, both parties' names, printable
HTML in the licensee's language (autoescaped), overdue notices from the scheduler."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from services.licensing.scheduler import LicensingScheduler
from shared.db.schema import utcnow
from tests.integration.licensing.conftest import approved_request, place_order, request_body
from tests.integration.licensing.test_api import events_of

pytestmark = pytest.mark.databases("sqlite", "postgresql")


def test_numbers_are_sequential_per_vendor_without_gaps_under_concurrency(app, market):
    client = app.test_client()
    requests = [approved_request(client, market) for _ in range(8)]
    barrier = threading.Barrier(len(requests))
    numbers = []

    def order(request):
        barrier.wait()
        response = app.test_client().post(
            "/v1/orders",
            json={"request_id": request["id"]},
            headers=market.parties["licensee"].headers,
        )
        assert response.status_code == 201, response.json
        numbers.append(response.json["invoice"]["number"])

    threads = [threading.Thread(target=order, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(numbers) == [f"INV-{n:06d}" for n in range(1, 9)]

    # Another vendor counts from 1.
    other = market.parties["other vendor"]
    core = market.core(other, price={"amount": "5.00", "currency": "HKD"}, requires_approval=False)
    request = client.post(
        "/v1/license-requests", json=request_body(core), headers=market.parties["licensee"].headers
    ).json
    order_ = client.post(
        "/v1/orders", json={"request_id": request["id"]}, headers=market.parties["licensee"].headers
    ).json
    assert order_["invoice"]["number"] == "INV-000001"


def test_invoice_names_both_parties_and_prints_in_the_licensees_language(client, market):
    vendor = market.organisation("Pearl River Silicon", ["vendor"], name_zh="珠江硅科技有限公司")
    licensee = market.organisation(
        "Tianhe <Chips> & Co",
        ["licensee"],
        country="CN",
        locale="zh-Hans",
        name_zh="天河芯片有限公司",
    )
    core = market.core(
        vendor, price={"amount": "1234567.89", "currency": "CNY"}, requires_approval=False
    )
    request = client.post(
        "/v1/license-requests",
        json=request_body(core, project_name="<script>alert(1)</script>"),
        headers=licensee.headers,
    ).json
    order = client.post(
        "/v1/orders", json={"request_id": request["id"]}, headers=licensee.headers
    ).json
    invoice = order["invoice"]
    assert invoice["language"] == "zh-Hans" and invoice["state"] == "open"
    assert invoice["parties"]["vendor"]["name_zh"] == "珠江硅科技有限公司"
    assert invoice["parties"]["licensee"]["name_en"] == "Tianhe <Chips> & Co"
    assert invoice["total"] == {"amount": "1234567.89", "currency": "CNY"}
    assert invoice["due_at"] > invoice["issued_at"]
    assert invoice["number"] in invoice["payment_instructions"]

    html = client.get(f"/v1/orders/{order['id']}/invoice.html", headers=vendor.headers)
    assert html.status_code == 200 and html.content_type.startswith("text/html")
    page = html.text
    assert '<html lang="zh-Hans">' in page and "发票" in page and "付款说明" in page
    assert "珠江硅科技有限公司" in page and "天河芯片有限公司" in page
    assert "CNY 1,234,567.89" in page
    assert "Tianhe &lt;Chips&gt; &amp; Co" in page and "<script>" not in page
    traditional = client.get(
        f"/v1/orders/{order['id']}/invoice.html?lang=zh-Hant", headers=licensee.headers
    ).text
    assert "發票" in traditional and "付款說明" in traditional
    english = client.get(
        f"/v1/orders/{order['id']}/invoice.html?lang=en", headers=licensee.headers
    ).text
    assert "Payment instructions" in english and invoice["number"] in english
    assert (
        client.get(
            f"/v1/orders/{order['id']}/invoice.html",
            headers=market.parties["other licensee"].headers,
        ).status_code
        == 404
    )


def test_overdue_invoices_produce_one_event_each(app, client, market):
    open_order = place_order(client, market)
    paid_order = place_order(client, market)
    client.post(
        f"/v1/orders/{paid_order['id']}/payments",
        json={"amount": "25000.00", "currency": "USD", "paid_on": "2026-11-20", "reference": "r"},
        headers=market.parties["vendor"].headers,
    )
    scheduler = LicensingScheduler(app.extensions["ipmarket"])
    assert scheduler.tick(utcnow())["invoices_overdue"] == 0
    later = utcnow() + timedelta(days=31)
    assert scheduler.tick(later)["invoices_overdue"] == 1
    assert scheduler.tick(later + timedelta(days=1))["invoices_overdue"] == 0
    overdue = events_of(market, "ipmarket.invoice.overdue.v1")
    assert [e["order_id"] for e in overdue] == [open_order["id"]]
    assert overdue[0]["vendor_id"] and overdue[0]["licensee_id"]
    assert overdue[0]["invoice_number"] == open_order["invoice"]["number"]
