"""The vendor's quotes and orders against a licensing API in memory: the lists of its own side
only, an approver pricing a quote (money in the page's locale, bad input beside its field in
the page's language before any call, the service's refusal beside the field it names), orders
with payments and invoice, and a refund that only finance and owners are offered."""

from __future__ import annotations

import json

from tests.unit.services.portal.vendor.fake_licensing import ORGANISATION, csrf_of, workspace


def price_it(client, quote_id="q_1", **fields):
    page = client.get(f"/vendor/quotes/{quote_id}").text
    data = {
        "csrf_token": csrf_of(page),
        "amount": "180000.00",
        "currency": "CNY",
        "valid_until": "2027-01-31",
        "terms": "Net 30; two design wins",
        **fields,
    }
    return client.post(f"/vendor/quotes/{quote_id}/send", data=data)


def test_the_quote_list_asks_for_the_vendor_side_and_shows_prices_in_the_locale():
    client, licensing = workspace(["approver"], locale="zh-Hans")
    page = client.get("/vendor/quotes").text
    assert 'id="quote-q_1"' in page and "等待您的报价" in page
    [call] = [c for c in licensing.calls if c.url.path == "/v1/quotes"]
    assert call.url.params["vendor_id"] == ORGANISATION
    assert call.url.params["state"] == "requested"
    accepted = client.get("/vendor/quotes?state=accepted").text
    assert "¥180,000.00" in accepted and 'id="quote-q_1"' not in accepted


def test_an_approver_prices_a_quote_and_sends_it():
    client, licensing = workspace(["approver"])
    answer = price_it(client)
    assert answer.status_code == 303 and answer.headers["Location"] == "/vendor/quotes/q_1"
    [call] = licensing.changes()
    assert call.url.path == "/v1/quotes/q_1/send"
    assert json.loads(call.content) == {
        "amount": "180000.00",
        "currency": "CNY",
        "terms": "Net 30; two design wins",
        "valid_until": "2027-01-31T23:59:59+08:00",  # the end of that day where the person is
    }
    page = client.get("/vendor/quotes/q_1").text
    assert "The quote is sent to the licensee." in page and "CN¥180,000.00" in page
    assert "Revise the quote" in page  # until the licensee answers


def test_bad_input_is_refused_beside_its_field_in_chinese_before_any_call():
    client, licensing = workspace(["approver"], locale="zh-Hant")
    answer = price_it(client, amount="12.345", currency="EUR", valid_until="2026-11-30", terms="")
    assert answer.status_code == 422
    text = answer.text
    assert 'id="amount-error"' in text and 'id="currency-error"' in text
    assert 'id="terms-error"' in text
    assert 'aria-invalid="true"' in text
    assert "請選擇 USD、CNY 或 HKD。" in text
    assert licensing.changes() == []
    past = price_it(client, valid_until="2026-11-30")
    assert past.status_code == 422 and 'id="valid_until-error"' in past.text
    assert licensing.changes() == []


def test_the_services_refusal_shows_beside_the_field_it_names():
    client, licensing = workspace(["approver"])
    answer = price_it(client, terms="refused by the service")
    assert answer.status_code == 422
    assert 'id="terms-error">This value is not accepted.' in answer.text


def test_a_viewer_reads_a_quote_but_is_not_offered_to_price_it():
    client, licensing = workspace(["viewer"])
    page = client.get("/vendor/quotes/q_1").text
    assert "/send" not in page and "pricing it takes the approver" in page
    assert price_it(client).status_code == 404
    assert licensing.changes() == []
    assert "/send" not in client.get("/vendor/quotes/q_2").text  # accepted: nothing to send


def test_an_approver_rejects_a_quote_request_saying_why_in_the_pages_language():
    client, licensing = workspace(["approver"], locale="zh-Hans")
    page = client.get("/vendor/quotes/q_1").text
    assert 'action="/vendor/quotes/q_1/reject"' in page
    data = {"reject-csrf_token": csrf_of(page), "reject-reason": "  "}
    answer = client.post("/vendor/quotes/q_1/reject", data=data)
    assert answer.status_code == 422 and 'id="reject-reason-error"' in answer.text
    assert "请说明原因" in answer.text and licensing.changes() == []
    answer = client.post("/vendor/quotes/q_1/reject", data=data | {"reject-reason": "不做 12 nm"})
    assert answer.status_code == 303
    [call] = licensing.changes()
    assert call.url.path == "/v1/quotes/q_1/reject"
    assert json.loads(call.content) == {"reason": "不做 12 nm"}
    page = client.get("/vendor/quotes/q_1").text
    assert 'id="rejection-reason">不做 12 nm' in page and "/reject" not in page
    assert "/reject" not in client.get("/vendor/quotes/q_2").text  # accepted: nothing to reject


def test_a_viewer_is_not_offered_to_reject_a_quote():
    client, licensing = workspace(["viewer"])
    page = client.get("/vendor/quotes/q_1").text
    assert "/reject" not in page
    data = {"reject-csrf_token": csrf_of(page), "reject-reason": "no"}
    assert client.post("/vendor/quotes/q_1/reject", data=data).status_code == 404
    assert licensing.changes() == []


def test_orders_show_payments_and_invoice_and_finance_refunds_a_fulfilled_one():
    client, licensing = workspace(["finance"], locale="zh-Hans")
    listed = client.get("/vendor/orders").text
    assert 'id="order-ord_1"' in listed and 'id="order-ord_2"' in listed
    [call] = [c for c in licensing.calls if c.url.path == "/v1/orders"]
    assert call.url.params["vendor_id"] == ORGANISATION
    page = client.get("/vendor/orders/ord_1").text
    assert "INV-2026-000042" in page and "BOC-7781" in page and "¥180,000.00" in page
    assert 'action="/vendor/orders/ord_1/refund"' in page
    assert "/refund" not in client.get("/vendor/orders/ord_2").text  # paid, not fulfilled
    empty = client.post("/vendor/orders/ord_1/refund", data={"csrf_token": csrf_of(page)})
    assert empty.status_code == 422 and 'id="reason-error"' in empty.text
    assert licensing.changes() == []
    done = client.post(
        "/vendor/orders/ord_1/refund",
        data={"csrf_token": csrf_of(page), "reason": "Chargeback agreed"},
    )
    assert done.status_code == 303
    assert json.loads(licensing.changes()[0].content) == {"reason": "Chargeback agreed"}


def test_an_approver_reads_orders_but_is_not_offered_a_refund():
    client, licensing = workspace(["approver"])
    page = client.get("/vendor/orders/ord_1").text
    assert "/refund" not in page
    data = {"csrf_token": csrf_of(page), "reason": "x"}
    assert client.post("/vendor/orders/ord_1/refund", data=data).status_code == 404
    assert licensing.changes() == []
