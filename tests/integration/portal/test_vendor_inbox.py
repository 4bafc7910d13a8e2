"""The vendor's request inbox in the portal against the real catalog and licensing services on
PostgreSQL and Kafka: an approver signed in through the portal sees a licensee's request for the
vendor's core and approves it; a rejection without its reason is refused beside the field and
changes nothing at the service."""

from __future__ import annotations

import pytest

from tests.integration.portal.vendor_marketplace import (
    csrf,
    set_up,
    signed_in_portal,
    submit_request,
)
from tests.integration.shared.conftest import Platform


@pytest.fixture
def platform(platform_env, tmp_path):
    platform = Platform(tmp_path / "store")
    yield platform
    platform.close()


@pytest.fixture
def inbox(platform):
    marketplace = set_up(platform, ["approver"])
    request = submit_request(platform, marketplace)
    assert request["state"] == "pending_approval", request
    client = signed_in_portal(platform, "/vendor/requests")
    return client, request, platform.clients["licensing"], marketplace["key"]


def _state(licensing, key: str, request_id: str) -> str:
    answer = licensing.get(
        f"/v1/license-requests/{request_id}", headers={"Authorization": f"Bearer {key}"}
    )
    return answer.json["state"]


def test_an_approver_approves_a_request_in_the_inbox(inbox):
    client, request, licensing, licensee_key = inbox
    page = client.get("/vendor/requests").text
    assert f'id="request-{request["id"]}"' in page and "xinyuan-micro.cn:ip:uart16550" in page

    prefix = f"approve-{request['id']}-"
    answer = client.post(
        f"/vendor/requests/{request['id']}/approve",
        data={f"{prefix}csrf_token": csrf(page, prefix), f"{prefix}comment": "export checked"},
    )
    assert answer.status_code == 303, answer.text
    # An evaluation is free: approval issues its license.
    assert _state(licensing, licensee_key, request["id"]) in ("approved", "issued")
    assert f'id="request-{request["id"]}"' not in client.get("/vendor/requests").text


def test_a_rejection_without_its_reason_is_refused_beside_the_field_and_changes_nothing(inbox):
    client, request, licensing, licensee_key = inbox
    page = client.get("/vendor/requests").text
    prefix = f"reject-{request['id']}-"
    answer = client.post(
        f"/vendor/requests/{request['id']}/reject",
        data={f"{prefix}csrf_token": csrf(page, prefix), f"{prefix}comment": ""},
    )
    assert answer.status_code == 422
    assert f'id="{prefix}comment-error">Say why: the licensee reads it.' in answer.text
    assert _state(licensing, licensee_key, request["id"]) == "pending_approval"
