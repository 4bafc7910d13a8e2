"""The vendor's request inbox against a licensing API in memory: what each role is offered, the
decisions sent, and bad input refused beside its field in the page's language, changing nothing."""

from __future__ import annotations

import json
import re

from tests.unit.services.portal.vendor.fake_licensing import csrf_of, workspace


def decide(client, request_id: str, decision: str, comment: str, token: str | None = None):
    page = client.get("/vendor/requests").text
    prefix = f"{decision}-{request_id}"
    return client.post(
        f"/vendor/requests/{request_id}/{decision}",
        data={f"{prefix}-csrf_token": token or csrf_of(page), f"{prefix}-comment": comment},
    )


def test_an_approver_sees_the_requests_for_its_cores_and_approves_one():
    client, licensing = workspace(["approver"])
    page = client.get("/vendor/requests").text
    assert 'id="request-req_1"' in page
    assert 'id="request-req_3"' not in page  # its own request to another vendor
    assert 'action="/vendor/requests/req_1/approve"' in page
    assert 'action="/vendor/requests/req_1/reject"' in page

    answer = decide(client, "req_1", "approve", "export checked")
    assert answer.status_code == 303 and answer.location == "/vendor/requests"
    [call] = licensing.changes()
    assert call.url.path == "/v1/license-requests/req_1/approve"
    assert json.loads(call.content) == {"comment": "export checked"}
    assert call.headers["Authorization"].startswith("Bearer ")
    after = client.get("/vendor/requests").text
    assert "Approved." in after and 'id="request-req_1"' not in after
    assert 'id="request-req_1"' in client.get("/vendor/requests?state=approved").text


def test_a_viewer_reads_the_inbox_but_is_offered_no_decision_and_cannot_post_one():
    client, licensing = workspace(["viewer"])
    page = client.get("/vendor/requests").text
    assert 'id="request-req_1"' in page and "/approve" not in page and "/reject" not in page
    assert "approver" in page  # says which role decides
    answer = client.post(
        "/vendor/requests/req_1/approve", data={"approve-req_1-csrf_token": csrf_of(page)}
    )
    assert answer.status_code == 404 and licensing.changes() == []


def test_a_rejection_without_its_reason_is_refused_beside_the_field_in_chinese():
    client, licensing = workspace(["approver"], locale="zh-Hans")
    answer = decide(client, "req_1", "reject", "")
    assert answer.status_code == 422
    html = answer.text
    error = re.search(r'<p class="error" id="reject-req_1-comment-error">([^<]+)</p>', html)
    assert error and error.group(1) == "请说明原因：被授权方会看到。"
    assert 'aria-describedby="reject-req_1-comment-error"' in html
    assert licensing.changes() == [] and licensing.requests["req_1"]["state"] == "pending_approval"


def test_a_comment_over_the_services_bound_is_refused_before_any_call():
    client, licensing = workspace(["approver"])
    answer = decide(client, "req_1", "approve", "x" * 2001)
    assert answer.status_code == 422 and "Use at most 2000 characters." in answer.text
    assert licensing.changes() == []


def test_the_services_refusal_is_shown_beside_the_field_it_names():
    client, licensing = workspace(["approver"])
    answer = decide(client, "req_1", "reject", "refused by the service")
    assert answer.status_code == 422
    assert 'id="reject-req_1-comment-error">This value is not accepted.' in answer.text
    assert licensing.requests["req_1"]["state"] == "pending_approval"


def test_a_request_decided_meanwhile_says_so_above_the_list():
    client, licensing = workspace(["owner"])
    answer = decide(client, "req_2", "approve", "")
    assert answer.status_code == 422
    assert "It has changed since this page was shown" in answer.text
    assert licensing.requests["req_2"]["state"] == "approved"


def test_a_visitor_is_sent_to_sign_in_and_a_licensee_has_no_vendor_workspace():
    from tests.unit.services.portal.fake_catalog import FakeCatalog, portal

    visitor = portal(FakeCatalog()).test_client()
    answer = visitor.get("/vendor/requests")
    assert answer.status_code == 303 and answer.location.startswith("/sign-in?next=/vendor/")

    client, licensing = workspace(["buyer"], kinds=["licensee"])
    answer = client.get("/vendor/requests")
    assert answer.status_code == 403 and "No vendor workspace" in answer.text
    assert "/vendor/requests" not in client.get("/account").text  # no link to it either
    assert licensing.calls == []


def test_a_read_the_service_refuses_gets_a_page_saying_so_in_the_pages_language():
    client, licensing = workspace(["approver"], locale="zh-Hans")
    licensing.refuse_reads = True
    answer = client.get("/vendor/requests")
    assert answer.status_code == 403 and "您在该组织中的角色不允许此操作。" in answer.text
    assert client.get("/vendor/licenses").status_code == 403


def test_the_end_use_country_is_named_in_the_pages_language_not_coded():
    for locale, name in (("en", "Singapore"), ("zh-Hans", "新加坡")):
        client, _ = workspace(["approver"], locale=locale)
        page = client.get("/vendor/requests").text
        assert f"<dd>{name}</dd>" in page and "<dd>SG</dd>" not in page
