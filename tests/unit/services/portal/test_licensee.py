"""The licensee's workspace through Flask's test client, against the catalog and the licensing
API in memory (httpx MockTransport): a refusal of the service lands beside its field in the
page's language and nothing more is sent; a form the portal itself refuses sends nothing;
paying hands the outstanding amount to the payment provider; the license file is an
attachment; a visitor is sent to sign in."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx

from services.portal.catalog_api import CatalogApi
from services.portal.licensing_api import LicensingApi
from services.portal.payment_api import PaymentApi
from tests.unit.services.portal.built_portal import portal_app
from tests.unit.services.portal.fake_catalog import (
    NOW,
    ORGANISATION,
    SECRET,
    FakeCatalog,
    _problem,
    access_token,
    signed_in,
)
from tests.unit.services.portal.test_security import _sign_in, csrf_of

ORDER = {
    "id": "order_1",
    "state": "pending_payment",
    "request_id": "request_1",
    "vlnv": {"vendor": "acme.example", "library": "ip", "name": "uart", "version": "1.0"},
    "offer_id": "o1",
    "price": {"amount": "25000.00", "currency": "CNY"},
    "paid": {"amount": "5000.00", "currency": "CNY"},
    "outstanding": {"amount": "20000.00", "currency": "CNY"},
    "license_id": None,
    "invoice": None,
    "payments": [],
}


class Recorder:
    """Answers each call with the first matching (method, path) → response, and records it."""

    def __init__(self, answers: dict):
        self.answers = answers
        self.calls: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        answer = self.answers.get((request.method, request.url.path))
        return answer(request) if callable(answer) else answer or _problem(404, [])

    def sent(self, method: str) -> list[httpx.Request]:
        return [c for c in self.calls if c.method == method]


class FinanceCatalog(FakeCatalog):
    """Signs in a member of the licensee's finance, who pays."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        answer = super().__call__(request)
        if request.url.path == "/v1/sessions" and answer.status_code == 201:
            token = access_token(memberships={ORGANISATION: ["finance"]})
            return httpx.Response(201, json={**signed_in(), "access_token": token})
        return answer


def workspace(licensing: Recorder, provider: Recorder | None = None, catalog=FakeCatalog):
    environ = {"IPMARKET_PORTAL_SECRET_KEY": SECRET, "IPMARKET_PORTAL_URL": "http://portal.test"}
    app = portal_app(
        environ,
        CatalogApi("http://catalog.test", transport=httpx.MockTransport(catalog())),
        lambda: NOW,
        licensing_api=LicensingApi("http://licensing.test", httpx.MockTransport(licensing)),
        payment_api=PaymentApi("http://pay.test", httpx.MockTransport(provider or Recorder({}))),
    )
    client = app.test_client()
    _sign_in(client, FakeCatalog())
    return client


def request_form(client, **fields) -> dict:
    html = client.get("/licensee/requests/new?core=core_1").text
    key = html.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    return {
        "csrf_token": csrf_of(html),
        "idempotency_key": key,
        "offer_id": "o1",
        "project_name": "Tianhe SoC",
        "intended_use": "UART of the SoC",
        "end_use_country": "CN",
        **fields,
    }


def test_the_services_refusal_is_shown_beside_its_field_in_chinese_and_sent_once():
    refusal = _problem(
        422, [{"field": "version_range", "message": "'1 to 2' is not a version range"}]
    )
    licensing = Recorder({("POST", "/v1/license-requests"): refusal})
    client = workspace(licensing)
    answer = client.post(
        "/licensee/requests/new?core=core_1", data=request_form(client, version_range="1 to 2")
    )
    assert answer.status_code == 422
    assert "不是有效的版本范围，请按 &gt;=1.0,&lt;2.0 这样的格式填写。" in answer.text
    assert 'id="version_range-error"' in answer.text and 'aria-invalid="true"' in answer.text
    (sent,) = licensing.sent("POST")
    assert sent.headers["Idempotency-Key"] and json.loads(sent.content)["version_range"] == "1 to 2"


def test_a_form_the_portal_refuses_sends_nothing():
    licensing = Recorder({})
    client = workspace(licensing)
    form = request_form(client, project_name="", end_use_country="XX")
    answer = client.post("/licensee/requests/new?core=core_1", data=form)
    assert answer.status_code == 422
    assert "请填写使用该 IP 核的项目名称。" in answer.text  # the person's language: zh-Hans
    assert licensing.sent("POST") == []


def test_a_request_is_made_with_the_fields_the_api_names_and_shown_after():
    made = httpx.Response(201, json={"id": "request_1"})
    licensing = Recorder({("POST", "/v1/license-requests"): made})
    client = workspace(licensing)
    answer = client.post("/licensee/requests/new?core=core_1", data=request_form(client))
    assert (
        answer.status_code == 303 and answer.headers["Location"] == "/licensee/requests/request_1"
    )
    body = json.loads(licensing.sent("POST")[0].content)
    assert body == {
        "core_id": "core_1",
        "offer_id": "o1",
        "project_name": "Tianhe SoC",
        "intended_use": "UART of the SoC",
        "end_use_country": "CN",
    }


def test_paying_hands_the_outstanding_amount_to_the_provider():
    licensing = Recorder({("GET", "/v1/orders/order_1"): httpx.Response(200, json=ORDER)})
    provider = Recorder({("POST", "/payments"): httpx.Response(202, json={"status": "pending"})})
    buyer = workspace(licensing, provider)
    assert "/licensee/orders/order_1/pay" not in buyer.get("/licensee/orders/order_1").text
    client = workspace(licensing, provider, FinanceCatalog)
    page = client.get("/licensee/orders/order_1")
    assert 'action="/licensee/orders/order_1/pay"' in page.text and "20,000.00" in page.text
    answer = client.post("/licensee/orders/order_1/pay", data={"csrf_token": csrf_of(page.text)})
    assert answer.headers["Location"] == "/licensee/orders/order_1?paying=1"
    (paid,) = provider.sent("POST")
    assert json.loads(paid.content) == {
        "order_id": "order_1",
        "amount": "20000.00",
        "currency": "CNY",
    }
    assert licensing.sent("POST") == []  # only the provider's callback marks it paid


def test_the_license_file_is_an_attachment_and_a_visitor_is_sent_to_sign_in():
    text = "Licensee: x\n\n-----BEGIN IPMARKET LICENSE-----\nabc\n-----END IPMARKET LICENSE-----\n"
    licensing = Recorder({("GET", "/v1/licenses/lic_1/file"): httpx.Response(200, text=text)})
    client = workspace(licensing)
    answer = client.get("/licensee/licenses/lic_1/file")
    assert answer.text == text
    assert answer.headers["Content-Disposition"] == 'attachment; filename="license-lic_1.txt"'
    visitor = portal_app({"IPMARKET_PORTAL_SECRET_KEY": SECRET}).test_client()
    gone = visitor.get("/licensee/licenses/lic_1/file")
    assert gone.status_code == 303 and gone.headers["Location"].startswith("/sign-in?next=")


SENT_QUOTE = {  # priced by the vendor; each test says until when it holds
    "id": "quote_1",
    "state": "sent",
    "core_id": "core_1",
    "vlnv": ORDER["vlnv"],
    "offer_id": "o1",
    "project_name": "Tianhe SoC",
    "end_use_country": "CN",
    "volume": 200000,
    "price": {"amount": "25000.00", "currency": "CNY"},
    "terms": "Net 30",
    "request_id": None,
    "rejection_reason": None,
}


def test_a_sent_quote_past_its_validity_offers_no_accept_button():
    for valid_until, offered in ((NOW + timedelta(seconds=1), True), (NOW, False)):
        answer = {**SENT_QUOTE, "valid_until": valid_until.isoformat()}
        licensing = Recorder({("GET", "/v1/quotes/quote_1"): httpx.Response(200, json=answer)})
        page = workspace(licensing).get("/licensee/quotes/quote_1").text
        assert ('action="/licensee/quotes/quote_1/accept"' in page) is offered
        assert ("此报价已过期：请向供应商索取新的报价。" in page) is not offered


def test_accepting_a_quote_whose_core_was_withdrawn_says_so():
    quote = {**SENT_QUOTE, "valid_until": (NOW + timedelta(days=1)).isoformat()}
    detail = "the core is withdrawn: it is no longer licensed"
    refused = httpx.Response(
        409,
        json={"title": "Conflict", "status": 409, "detail": detail, "core_status": "withdrawn"},
        headers={"Content-Type": "application/problem+json"},
    )
    licensing = Recorder(
        {
            ("GET", "/v1/quotes/quote_1"): httpx.Response(200, json=quote),
            ("POST", "/v1/quotes/quote_1/accept"): refused,
        }
    )
    client = workspace(licensing)
    page = client.get("/licensee/quotes/quote_1").text
    answer = client.post("/licensee/quotes/quote_1/accept", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 409
    assert "供应商已撤回此 IP 核：无法再获得授权。" in answer.text
