"""Webhook endpoints in the vendor workspace against a notify API in memory: the secret shown
once and never cached, rotation, the delivery log with attempts in place for htmx and as a page
without, replay, and what each role is offered."""

from __future__ import annotations

import json

from tests.unit.services.portal.vendor.fake_licensing import csrf_of, workspace


def test_an_owner_adds_an_endpoint_and_sees_its_secret_once_never_cached():
    client, _ = workspace(["owner"])
    page = client.get("/vendor/webhooks").text
    assert "https://hooks.acme.example/ipmarket" in page and 'action="/vendor/webhooks"' in page
    answer = client.post(
        "/vendor/webhooks",
        data={"csrf_token": csrf_of(page), "url": "https://erp.acme.example/in", "description": ""},
    )
    assert answer.status_code == 201 and 'value="whsec_new"' in answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    [call] = client.notify.changes()
    assert json.loads(call.content) == {"url": "https://erp.acme.example/in", "description": ""}
    assert "whsec_new" not in client.get("/vendor/webhooks").text


def test_a_bad_address_is_refused_beside_the_field_before_any_call_in_chinese():
    client, _ = workspace(["owner"], locale="zh-Hans")
    page = client.get("/vendor/webhooks").text
    answer = client.post("/vendor/webhooks", data={"csrf_token": csrf_of(page), "url": "ftp://x"})
    assert answer.status_code == 422
    assert 'id="url-error">请输入以 https:// 或 http:// 开头的地址。' in answer.text
    assert client.notify.changes() == []


def test_an_address_the_service_refuses_is_shown_beside_the_field():
    client, _ = workspace(["owner"])
    page = client.get("/vendor/webhooks").text
    data = {"csrf_token": csrf_of(page), "url": "http://localhost:9/in"}
    answer = client.post("/vendor/webhooks", data=data)
    assert answer.status_code == 422
    assert 'id="url-error">The marketplace does not accept this value.' in answer.text
    assert "ep_2" not in client.notify.endpoints


def test_rotating_shows_the_new_secret_and_how_long_the_old_one_works():
    client, _ = workspace(["owner"])
    page = client.get("/vendor/webhooks/ep_1").text
    answer = client.post("/vendor/webhooks/ep_1/rotate", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 200 and 'value="whsec_rotated"' in answer.text
    assert "The previous secret keeps working until" in answer.text


def test_the_delivery_log_shows_attempts_in_place_for_htmx_and_as_a_page_without():
    client, _ = workspace(["viewer"])
    page = client.get("/vendor/webhooks/ep_1").text
    assert 'id="delivery-dl_1"' in page and "msg_1" in page
    assert 'hx-get="/vendor/webhooks/ep_1/deliveries/dl_1/attempts"' in page
    assert "/replay" not in page and "/rotate" not in page  # a viewer reads only
    fragment = client.get(
        "/vendor/webhooks/ep_1/deliveries/dl_1/attempts", headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.text and "500" in fragment.text and "12 ms" in fragment.text
    whole = client.get("/vendor/webhooks/ep_1/deliveries/dl_1/attempts")
    assert "<html" in whole.text and "12 ms" in whole.text


def test_an_owner_replays_a_delivery():
    client, _ = workspace(["owner"])
    page = client.get("/vendor/webhooks/ep_1").text
    answer = client.post(
        "/vendor/webhooks/ep_1/deliveries/dl_1/replay", data={"csrf_token": csrf_of(page)}
    )
    assert answer.status_code == 303
    assert [c.url.path for c in client.notify.changes()] == ["/v1/deliveries/dl_1/replay"]
    assert "The delivery is sent again" in client.get("/vendor/webhooks/ep_1").text


def test_an_owner_sends_a_test_event_and_a_viewer_is_not_offered_it():
    client, _ = workspace(["owner"], locale="zh-Hans")
    page = client.get("/vendor/webhooks/ep_1").text
    assert 'action="/vendor/webhooks/ep_1/test"' in page
    answer = client.post("/vendor/webhooks/ep_1/test", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 303 and answer.headers["Location"] == "/vendor/webhooks/ep_1"
    assert [c.url.path for c in client.notify.changes()] == ["/v1/endpoints/ep_1/test"]
    assert "测试事件已在发送途中" in client.get("/vendor/webhooks/ep_1").text
    assert client.post("/vendor/webhooks/ep_1/test", data={}).status_code == 400  # no CSRF
    viewer, _ = workspace(["viewer"])
    page = viewer.get("/vendor/webhooks/ep_1").text
    assert "/test" not in page
    refused = viewer.post("/vendor/webhooks/ep_1/test", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 404


def test_an_approver_has_no_webhook_pages_and_no_link_to_them():
    client, _ = workspace(["approver"])
    assert client.get("/vendor/webhooks").status_code == 404
    assert "/vendor/webhooks" not in client.get("/vendor/requests").text
    assert client.notify.calls == []
