"""The vendor workspace in Debian's Chromium against the whole marketplace (every service,
relay, consumer and the notify delivery worker as processes on PostgreSQL and Kafka): a
vendor's approver approves a licensee's request in the inbox (a rejection without its reason
refused beside the field first) and rejects a quote request, saying why (again in Traditional
Chinese); a vendor's owner sets
up a webhook endpoint to a real HTTP server of this test, sees a delivery and its attempts in
the log and replays it. Each page passes the axe-core scan; screenshots go to
docs/screenshots/."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.portal.licensee.journeys import core_of
from tests.e2e.portal.pages import switch_language
from tests.e2e.portal.test_storefront import assert_accessible, open_page, shot  # noqa: F401
from tests.integration.notify.conftest import receiver  # noqa: F401 - a fixture
from tests.support import wait_until


def _request_for_a_vendor_core(marketplace) -> dict:
    """Lakeside asks for an evaluation of one of Pengcheng's cores (it needs approval), by its
    API key as a design flow would; returned once it awaits the vendor's decision."""
    vendor_id = marketplace.organisations["pengcheng"]["id"]
    listed = requests.get(
        f"{marketplace.catalog}/v1/cores", params={"vendor": vendor_id, "limit": 20}, timeout=10
    ).json()["items"]
    # An EAR99 core: export screening clears it (a controlled one would wait for a reviewer).
    found = next(
        core
        for core in (
            requests.get(f"{marketplace.catalog}/v1/cores/{c['id']}", timeout=10).json()
            for c in listed
        )
        if core["eccn"] == "EAR99"
    )
    evaluation = next(o for o in found["offers"] if o["kind"] == "evaluation")
    key = marketplace.organisations["lakeside"]["api_key"]
    answer = requests.post(
        f"{marketplace.licensing}/v1/license-requests",
        json={
            "core_id": found["id"],
            "offer_id": evaluation["offer_id"],
            "project_name": "Taihu vision SoC",
            "intended_use": "Camera interface of a consumer vision SoC",
            "end_use_country": "SG",
        },
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    request = answer.json()
    assert request["state"] == "pending_approval", request
    return request


def _state(marketplace, request_id: str) -> str:
    key = marketplace.organisations["lakeside"]["api_key"]
    return requests.get(
        f"{marketplace.licensing}/v1/license-requests/{request_id}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    ).json()["state"]


def _quote_asked_of_pengcheng(marketplace) -> dict:
    """Lakeside asks, by its API key, for a price on the MIPI receiver's offer on request."""
    core = core_of(marketplace, "pengcheng", "mipi_csi2_rx")
    on_request = next(o for o in core["offers"] if o.get("on_request"))
    answer = requests.post(
        f"{marketplace.licensing}/v1/quotes",
        json={
            "core_id": core["id"],
            "offer_id": on_request["offer_id"],
            "project_name": "Taihu vision SoC",
            "intended_use": "Camera interface of a consumer vision SoC",
            "end_use_country": "SG",
            "volume": 500000,
        },
        headers={"Authorization": f"Bearer {marketplace.organisations['lakeside']['api_key']}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def _quote(marketplace, quote_id: str) -> dict:
    key = marketplace.organisations["lakeside"]["api_key"]
    return requests.get(
        f"{marketplace.licensing}/v1/quotes/{quote_id}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    ).json()


def test_an_approver_approves_a_request_in_the_inbox(marketplace, people, open_page):  # noqa: F811
    request = _request_for_a_vendor_core(marketplace)
    page = open_page("en")
    marketplace.sign_in(page, people.vendor_approver, "/vendor/requests")
    card = page.locator(f"#request-{request['id']}")
    card.wait_for()
    assert "Taihu vision SoC" in card.inner_text()
    assert_accessible(page)
    shot(page, "vendor-inbox")

    # A rejection needs its reason: refused beside the field, and nothing changes.
    page.expected_statuses.add(422)
    card.get_by_role("button", name="Reject").click()
    error = page.locator(f"#reject-{request['id']}-comment-error")
    assert error.inner_text() == "Say why: the licensee reads it."
    textarea = page.locator(f"#reject-{request['id']}-comment")
    assert textarea.get_attribute("aria-describedby") == f"reject-{request['id']}-comment-error"
    assert _state(marketplace, request["id"]) == "pending_approval"
    assert_accessible(page)

    card = page.locator(f"#request-{request['id']}")
    card.get_by_label("Comment (optional)").fill("Export classification checked.")
    card.get_by_role("button", name="Approve").click()
    page.get_by_role("status").get_by_text("Approved.").wait_for()
    assert page.locator(f"#request-{request['id']}").count() == 0
    assert _state(marketplace, request["id"]) in ("approved", "issued")

    # A quote the vendor will not give: rejected with its reason (refused without one first).
    quote = _quote_asked_of_pengcheng(marketplace)
    page.goto(f"{marketplace.portal}/vendor/quotes/{quote['id']}")
    page.get_by_role("button", name="Reject the quote request").click()
    assert page.locator("#reject-reason-error").inner_text() == "Say why: the licensee reads it."
    assert _quote(marketplace, quote["id"])["state"] == "requested"
    page.get_by_label("Why you will not quote").fill("We do not license this core for 12 nm.")
    page.get_by_role("button", name="Reject the quote request").click()
    page.get_by_role("status").get_by_text("The quote request is rejected").wait_for()
    reason = "We do not license this core for 12 nm."
    assert page.locator("#rejection-reason").inner_text() == reason
    assert page.get_by_role("button", name="Send the quote").count() == 0
    assert_accessible(page)
    shot(page, "vendor-quote-rejected")
    assert _quote(marketplace, quote["id"])["rejection_reason"] == reason
    switch_language(page, "zh_Hans")
    assert "您已不予报价" in page.locator("main").inner_text()
    assert_accessible(page)
    shot(page, "vendor-quote-rejected-zh-Hans")

    # Another rejected in Traditional Chinese, switched on the page: the reason asked for
    # beside its field, then the licensee told it.
    switch_language(page, "zh_Hant")
    again = _quote_asked_of_pengcheng(marketplace)
    page.goto(f"{marketplace.portal}/vendor/quotes/{again['id']}")
    page.get_by_role("button", name="拒絕此報價請求").click()
    assert page.locator("#reject-reason-error").inner_text() == "請說明原因：被授權方會看到。"
    assert _quote(marketplace, again["id"])["state"] == "requested"
    assert_accessible(page)
    shot(page, "vendor-quote-reject-error-zh-Hant")
    page.get_by_label("不予報價的原因").fill("此 IP 核不授權用於 12 奈米製程。")
    page.get_by_role("button", name="拒絕此報價請求").click()
    page.get_by_role("status").get_by_text("已拒絕此報價請求").wait_for()
    assert "您已不予報價" in page.locator("main").inner_text()
    assert_accessible(page)
    shot(page, "vendor-quote-rejected-zh-Hant")
    assert (
        _quote(marketplace, again["id"])["rejection_reason"] == "此 IP 核不授權用於 12 奈米製程。"
    )


def test_a_vendor_sets_up_a_webhook_sees_a_delivery_and_replays_it(
    marketplace,
    people,
    open_page,  # noqa: F811
    receiver,  # noqa: F811
):
    # The receiver refuses until the replay. The notify worker retries 5 s after the first
    # attempt, then 300 s after that (±20 %): a delivery taken within a minute of the replay,
    # made after the second attempt, is the replay's.
    receiver.answers["/pengcheng"] = [(503, {})]
    page = open_page("en")
    marketplace.sign_in(page, people.vendor_owner, "/vendor/webhooks")
    assert_accessible(page)

    page.expected_statuses.add(422)
    page.get_by_label("Address (URL) that receives the notices").fill("not an address")
    page.get_by_role("button", name="Add the endpoint").click()
    assert "Enter an address starting with" in page.locator("#url-error").inner_text()

    page.get_by_label("Address (URL) that receives the notices").fill(
        f"{receiver.base_url}/pengcheng"
    )
    page.get_by_role("button", name="Add the endpoint").click()
    secret = page.locator("#secret").input_value()
    assert secret.startswith("whsec_")
    receiver.secrets["/pengcheng"] = secret
    assert_accessible(page)
    page.locator("#secret").evaluate("e => e.value = 'whsec_…'")  # not in the screenshot
    shot(page, "vendor-webhook-secret")
    page.get_by_role("link", name="Go to the endpoint and its deliveries").click()
    endpoint_url = page.url

    _request_for_a_vendor_core(marketplace)  # a notice for the vendor: the request
    refused = wait_until(
        lambda: len(receiver.on("/pengcheng")) >= 2 and receiver.on("/pengcheng"),
        timeout=90,
        what="the delivery and the worker's first retry",
    )
    first = refused[0]
    assert all(r.verified and r.status == 503 for r in refused)
    assert {r.headers["webhook-id"] for r in refused} == {first.headers["webhook-id"]}

    def delivery_shown():
        page.goto(endpoint_url)
        return page.locator("ol.deliveries li").count() > 0

    wait_until(delivery_shown, timeout=60, interval=1, what="the delivery in the log")
    delivery = page.locator("ol.deliveries li").first
    assert first.headers["webhook-id"] in delivery.inner_text()
    delivery.get_by_role("link", name="Show the attempts").click()  # htmx, in place
    attempts = delivery.locator("table.attempts")
    attempts.wait_for()
    assert "503" in attempts.inner_text() and page.url == endpoint_url
    assert_accessible(page)
    shot(page, "vendor-webhook-deliveries")

    receiver.answers["/pengcheng"] = [(204, {})]
    delivery.get_by_role("button", name="Send it again").click()
    page.get_by_role("status").wait_for()
    again = wait_until(
        lambda: [r for r in receiver.on("/pengcheng") if r.status == 204],
        timeout=60,
        what="the replayed delivery",
    )
    assert again[0].verified and again[0].headers["webhook-id"] == first.headers["webhook-id"]

    # "Send a test event": signed like any delivery, and in the log.
    page.goto(endpoint_url)
    page.get_by_role("button", name="Send a test event").click()
    page.get_by_role("status").get_by_text("A test event is on its way").wait_for()
    [tested] = wait_until(
        lambda: receiver.on("/pengcheng", "ipmarket.webhook.test.v1"),
        timeout=60,
        what="the test event",
    )
    assert tested.verified and tested.payload["data"]["endpoint_id"] in endpoint_url
    page.goto(endpoint_url)
    assert tested.headers["webhook-id"] in page.locator("ol.deliveries").inner_text()


@pytest.mark.parametrize("language", ["zh-CN", "zh-HK"])
def test_the_workspace_in_chinese_on_a_phone(marketplace, people, open_page, language):  # noqa: F811
    page = open_page(language, width=375)
    marketplace.sign_in(page, people.vendor_owner, "/vendor/licenses")
    expected = {"zh-CN": "已签发的授权", "zh-HK": "已簽發的授權"}[language]
    assert page.locator("h1").inner_text() == expected
    for path in ("/vendor/requests", "/vendor/licenses", "/vendor/webhooks", "/vendor/notices"):
        page.goto(marketplace.portal + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        assert_accessible(page)
    shot(page, f"vendor-notices-{language}-phone")
