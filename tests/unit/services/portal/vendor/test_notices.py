"""Notification preferences: everyone reads them in the page's language; the owner changes
them, and only the notices changed are sent to the notify service."""

from __future__ import annotations

import json

from tests.unit.services.portal.vendor.fake_licensing import csrf_of, workspace


def test_the_owner_changes_one_channel_and_only_that_notice_is_sent():
    client, _ = workspace(["owner"])
    page = client.get("/vendor/notices").text
    assert "A license is requested" in page and "An order is paid" in page
    answer = client.post(
        "/vendor/notices",
        data={
            "csrf_token": csrf_of(page),
            "email:ipmarket.license.requested.v1": "on",
            "webhook:ipmarket.license.requested.v1": "on",
            "email:ipmarket.order.paid.v1": "on",
            "webhook:ipmarket.order.paid.v1": "on",
        },
    )
    assert answer.status_code == 303
    [call] = client.notify.changes()
    assert call.method == "PUT" and call.url.path == "/v1/preferences/ipmarket.order.paid.v1"
    assert json.loads(call.content) == {"email": True, "webhook": True}
    assert "Saved: 1 notices changed." in client.get("/vendor/notices").text


def test_a_viewer_reads_them_in_chinese_without_a_way_to_change_them():
    client, _ = workspace(["viewer"], locale="zh-Hant")
    page = client.get("/vendor/notices").text
    assert (
        "申請授權" in page
        and "disabled" in page
        and 'type="submit">' not in page.split("<main", 1)[1]
    )
    page_csrf = csrf_of(page)
    assert client.post("/vendor/notices", data={"csrf_token": page_csrf}).status_code == 404
    assert client.notify.changes() == []
