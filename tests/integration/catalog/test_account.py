"""A signed-in person's own account over HTTP on PostgreSQL: who they are with their
memberships, their sessions, ending one or all the others (the ended ones stop refreshing and
are announced to every service); an API key has no account."""

from __future__ import annotations

import pyotp
import pytest

from services.catalog import invitations
from services.catalog.domain.people import Actor
from shared.events import people as people_events
from tests.integration.catalog.conftest import assert_problem

PASSWORD = "plum kettle orbit 47"
EMAIL = "zhang.min@xinyuan-micro.cn"
OPERATOR = Actor(platform_roles=frozenset({"operator"}), person_id="operator")


@pytest.fixture
def catalog(catalog):
    """The catalog with an approver of the vendor, invited and joined."""
    with catalog.context.unit_of_work() as uow:
        _, token = invitations.invite_member(uow, OPERATOR, catalog.vendor.id, EMAIL, ["approver"])
        invitations.accept_invitation(
            uow, token, name_en="Zhang Min", name_zh="张敏", password=PASSWORD
        )
        uow.commit()
    return catalog


def sign_in(catalog, browser: str) -> dict:
    response = catalog.client.post(
        "/v1/sessions",
        json={"email": EMAIL, "password": PASSWORD},
        headers={"User-Agent": browser},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert response.status_code == 201, response.json
    return response.json


def bearer(signed_in: dict) -> dict:
    return {"Authorization": f"Bearer {signed_in['access_token']}"}


def test_who_is_signed_in_with_their_organisations_names_and_roles(catalog):
    me = catalog.client.get("/v1/people/me", headers=bearer(sign_in(catalog, "Firefox")))
    assert me.status_code == 200, me.json
    assert (me.json["email"], me.json["name_en"], me.json["name_zh"]) == (
        EMAIL,
        "Zhang Min",
        "张敏",
    )
    [membership] = me.json["memberships"]
    assert membership == {
        "organisation_id": catalog.vendor.id,
        "legal_name_en": "Shanghai Xinyuan Microelectronics",
        "legal_name_zh": "上海芯元微电子有限公司",
        "kinds": ["vendor"],
        "roles": ["approver"],
        "timezone": "Asia/Shanghai",  # the organisation's: the pages' when the person has none
    }


def test_sessions_are_listed_and_all_the_others_end(catalog):
    laptop, phone = sign_in(catalog, "Firefox on a laptop"), sign_in(catalog, "Safari on a phone")
    listed = catalog.client.get("/v1/people/me/sessions", headers=bearer(laptop)).json
    assert {s["user_agent"]: s["current"] for s in listed["items"]} == {
        "Firefox on a laptop": True,
        "Safari on a phone": False,
    }
    ended = catalog.client.post("/v1/people/me/sessions/end-others", headers=bearer(laptop))
    assert ended.json == {"ended": 1}
    refused = catalog.client.post(
        "/v1/sessions/refresh", json={"refresh_token": phone["refresh_token"]}
    )
    assert refused.status_code == 401
    assert catalog.events(people_events.SESSION_ENDED) == [people_events.SESSION_ENDED]
    left = catalog.client.get("/v1/people/me/sessions", headers=bearer(laptop)).json["items"]
    assert [s["session_id"] for s in left] == [laptop["session_id"]]


def test_one_session_ends_by_its_id_and_an_unknown_one_is_not_found(catalog):
    laptop, phone = sign_in(catalog, "laptop"), sign_in(catalog, "phone")
    path = f"/v1/people/me/sessions/{phone['session_id']}"
    assert catalog.client.delete(path, headers=bearer(laptop)).json == {"ended": 1}
    again = catalog.client.delete(path, headers=bearer(laptop))
    assert_problem(again, 404)


def test_an_api_key_has_no_account(catalog):
    response = catalog.client.get(
        "/v1/people/me", headers={"Authorization": f"Bearer {catalog.vendor.key}"}
    )
    assert_problem(response, 403)


def test_a_person_sets_up_an_authenticator_app_and_then_signing_in_asks_for_a_code(catalog):
    headers = bearer(sign_in(catalog, "laptop"))
    started = catalog.client.post("/v1/people/me/second-factor", headers=headers)
    assert started.status_code == 201
    totp = pyotp.parse_uri(started.json["otpauth_uri"])
    wrong = catalog.client.post(
        "/v1/people/me/second-factor/confirm", json={"code": "000000"}, headers=headers
    )
    assert_problem(wrong, 422, "code")
    confirmed = catalog.client.post(
        "/v1/people/me/second-factor/confirm", json={"code": totp.now()}, headers=headers
    )
    assert confirmed.status_code == 200 and len(confirmed.json["recovery_codes"]) == 10
    again = catalog.client.post("/v1/people/me/second-factor", headers=headers)
    assert_problem(again, 409)
    next_time = catalog.client.post("/v1/sessions", json={"email": EMAIL, "password": PASSWORD})
    assert next_time.json["status"] == "second_factor_needed"
