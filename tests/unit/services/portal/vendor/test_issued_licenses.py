"""The licenses a vendor issued: the lifecycle's actions offered per state and role, what is sent,
and bad input refused beside its field."""

from __future__ import annotations

import json

from tests.unit.services.portal.vendor.fake_licensing import csrf_of, workspace


def act(client, license_id: str, action: str, **fields):
    page = client.get("/vendor/licenses").text
    prefix = f"{action}-{license_id}"
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    data[f"{prefix}-csrf_token"] = csrf_of(page)
    return client.post(f"/vendor/licenses/{license_id}/{action}", data=data)


def test_each_state_offers_the_actions_its_lifecycle_allows():
    client, _ = workspace(["approver"])
    active = client.get("/vendor/licenses").text
    for action in ("suspend", "revoke", "renew"):
        assert f'action="/vendor/licenses/lic_1/{action}"' in active
    assert "/vendor/licenses/lic_1/reinstate" not in active
    assert "/vendor/licenses/lic_3/renew" not in active  # perpetual
    assert "/vendor/licenses/lic_3/suspend" in active
    suspended = client.get("/vendor/licenses?state=suspended").text
    assert "/vendor/licenses/lic_2/reinstate" in suspended
    assert "/vendor/licenses/lic_2/revoke" in suspended
    assert "/vendor/licenses/lic_2/suspend" not in suspended


def test_suspending_sends_the_reason_and_the_list_follows():
    client, licensing = workspace(["approver"])
    answer = act(client, "lic_1", "suspend", reason="unpaid invoice")
    assert answer.status_code == 303
    [call] = licensing.changes()
    assert call.url.path == "/v1/licenses/lic_1/suspend"
    assert json.loads(call.content) == {"reason": "unpaid invoice"}
    assert "Suspended." in client.get("/vendor/licenses").text


def test_renewal_months_out_of_bounds_are_refused_beside_the_field_then_sent_when_right():
    client, licensing = workspace(["owner"], locale="zh-Hant")
    for months in ("0", "121", "twelve", ""):
        answer = act(client, "lic_1", "renew", months=months)
        assert answer.status_code == 422
        assert 'id="renew-lic_1-months-error">請輸入 1 至 120 的月數。' in answer.text
    assert licensing.changes() == []
    assert act(client, "lic_1", "renew", months="24").status_code == 303
    assert json.loads(licensing.changes()[0].content) == {"months": 24}


def test_a_revocation_needs_its_reason():
    client, licensing = workspace(["approver"])
    answer = act(client, "lic_1", "revoke", reason="")
    assert answer.status_code == 422 and "Give the reason." in answer.text
    assert licensing.changes() == [] and licensing.licenses["lic_1"]["state"] == "active"


def test_a_publisher_reads_the_licenses_but_is_offered_no_action_and_cannot_post_one():
    client, licensing = workspace(["publisher"])
    page = client.get("/vendor/licenses").text
    assert 'id="license-lic_1"' in page and 'method="post" action="/vendor/licenses' not in page
    assert act(client, "lic_1", "revoke", reason="x").status_code == 404
    assert licensing.changes() == []
