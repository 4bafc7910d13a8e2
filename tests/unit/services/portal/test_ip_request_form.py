"""The request-for-IP form (views/ip_requests.py): offered when a search finds nothing, read by
anyone, sent by a signed-in person (prefilled) after the page's own checks, refusals beside the
field in the page's language."""

from __future__ import annotations

import json
import re

import httpx

from tests.unit.services.portal.test_account_pages import AccountCatalog, _client, _signed_in
from tests.unit.services.portal.test_security import csrf_of

NEEDED = "A PCIe 6.0 PHY for 5 nm, 16 lanes, with a PIPE interface."


class RequestCatalog(AccountCatalog):
    def _answer(self, path: str, body: dict):
        if path == "/v1/cores":
            facets = {"category": []}
            return httpx.Response(
                200, json={"items": [], "total": 0, "facets": facets, "next": None}
            )
        if path == "/v1/ip-requests":
            sent = body | {"ip_request_id": "ipr_1", "organisation_id": "o", "vendors_told": 3}
            return httpx.Response(201, json=sent | {"created_at": "2026-12-02T16:00:00+00:00"})
        return super()._answer(path, body)


def test_a_search_finding_nothing_offers_the_request_and_a_visitor_signs_in_to_send():
    fake = RequestCatalog()
    client = _client(fake)
    page = client.get("/search?q=teleporter&category=memories").text
    assert 'href="/ip-requests?q=teleporter&amp;category=memories"' in page
    form = client.get("/ip-requests?q=teleporter&category=memories").text
    assert '<option selected value="memories">' in form and "\nteleporter</textarea>" in form
    assert 'href="/sign-in?next=/ip-requests"' in form
    sent = client.post("/ip-requests", data={"csrf_token": csrf_of(form), "category": "memories"})
    assert sent.status_code == 303 and sent.location.startswith("/sign-in")
    assert "/v1/ip-requests" not in fake.paths()


def test_a_signed_in_person_finds_their_contact_filled_in_and_sends_after_the_checks():
    fake = RequestCatalog()
    client = _signed_in(fake)
    client.set_cookie("ipmarket_locale", "zh_Hans")
    form = client.get("/ip-requests?q=PCIe").text
    assert 'value="li.wei@xinyuan.example"' in form
    data = {
        "csrf_token": csrf_of(form),
        "category": "interface_controllers_phys",
        "description": "a PHY",
        "node": " 5nm ",
        "foundry": "",
        "contact_name": "Li Wei",
        "contact_email": "li.wei@xinyuan.example",
    }
    short = client.post("/ip-requests", data=data)
    assert short.status_code == 422 and "/v1/ip-requests" not in fake.paths()
    error = re.search(r'id="description-error">([^<]*)<', short.text).group(1)
    assert error == "请输入 20 至 2000 个字符。"
    sent = client.post("/ip-requests", data=data | {"description": NEEDED})
    assert sent.status_code == 200 and "已通知 3 家接口控制器与 PHY供应商" in sent.text
    [request] = [r for r in fake.calls if r.url.path == "/v1/ip-requests"]
    assert json.loads(request.content) == {
        "category": "interface_controllers_phys",
        "description": NEEDED,
        "node": "5nm",
        "foundry": None,
        "contact_name": "Li Wei",
        "contact_email": "li.wei@xinyuan.example",
    }
    assert request.headers["Authorization"].startswith("Bearer ")
