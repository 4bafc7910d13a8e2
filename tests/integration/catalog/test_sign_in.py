"""Signing in over HTTP on PostgreSQL: the same refusal for a known and an unknown address,
throttling with Retry-After that the right password waits out too, refreshing."""

from __future__ import annotations

import pyotp
import pytest

from services.catalog import invitations, people, sessions
from services.catalog.domain.people import Actor
from tests.integration.catalog.conftest import assert_problem

PASSWORD = "plum kettle orbit 47"
EMAIL = "zhang.min@xinyuan-micro.cn"
OPERATOR = Actor(platform_roles=frozenset({"operator"}), person_id="operator")


@pytest.fixture
def person(catalog):
    """An approver of the vendor, invited and joined."""
    with catalog.context.unit_of_work() as uow:
        _, token = invitations.invite_member(uow, OPERATOR, catalog.vendor.id, EMAIL, ["approver"])
        invitations.accept_invitation(uow, token, name_en="Zhang Min", password=PASSWORD)
        uow.commit()
    return catalog


def post(catalog, email, password, address="203.0.113.7"):
    return catalog.client.post(
        "/v1/sessions",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def refusal(response) -> tuple:
    body = dict(response.json)
    body.pop("request_id")
    return response.status_code, response.content_type, body


def test_signing_in_opens_a_session_and_refreshing_rotates_its_token(person):
    response = post(person, EMAIL.upper(), PASSWORD)
    assert response.status_code == 201, response.json
    signed_in = response.json
    assert signed_in["status"] == "signed_in" and signed_in["access_token"].count(".") == 2
    with person.context.unit_of_work() as uow:
        actor = sessions.actor_for_access_token(uow, signed_in["access_token"])
    assert actor.memberships == {person.vendor.id: {"approver"}}
    response = person.client.post(
        "/v1/sessions/refresh", json={"refresh_token": signed_in["refresh_token"]}
    )
    assert response.status_code == 200 and response.json["session_id"] == signed_in["session_id"]
    assert_problem(
        person.client.post(
            "/v1/sessions/refresh", json={"refresh_token": signed_in["refresh_token"]}
        ),
        401,
    )


def test_a_known_and_an_unknown_address_are_refused_alike(person):
    known = post(person, EMAIL, "wrong " + PASSWORD)
    unknown = post(person, "nobody@xinyuan-micro.cn", "wrong " + PASSWORD)
    assert_problem(known, 401)
    assert refusal(known) == refusal(unknown)


def test_failures_are_throttled_with_retry_after_and_the_right_password_waits(person):
    for _ in range(6):
        assert_problem(post(person, EMAIL, "wrong " + PASSWORD), 401)
    before = person.snapshot()
    response = post(person, EMAIL, PASSWORD)
    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json["retry_after"] == int(response.headers["Retry-After"])
    assert person.snapshot() == before
    # Another account from another address is not slowed by this one's failures.
    assert_problem(post(person, "nobody@xinyuan-micro.cn", PASSWORD, "198.51.100.9"), 401)


def test_an_operator_sets_up_totp_before_the_first_session(catalog):
    with catalog.context.unit_of_work() as uow:
        people.create_operator(uow, "ops@vip-platform.hk", "Chan Tai Man", PASSWORD)
        uow.commit()
    response = post(catalog, "ops@vip-platform.hk", PASSWORD)
    assert response.status_code == 201
    assert response.json["status"] == "second_factor_setup_needed"
    assert "access_token" not in response.json
    token = response.json["second_factor_token"]
    response = catalog.client.post(
        "/v1/sessions/second-factor/setup", json={"second_factor_token": token}
    )
    generator = pyotp.parse_uri(response.json["otpauth_uri"])
    response = catalog.client.post(
        "/v1/sessions/second-factor/confirm",
        json={"second_factor_token": token, "code": generator.now()},
    )
    assert response.status_code == 201, response.json
    assert response.json["status"] == "signed_in" and len(response.json["recovery_codes"]) == 10
    response = post(catalog, "ops@vip-platform.hk", PASSWORD)
    assert response.json["status"] == "second_factor_needed"
    response = catalog.client.post(
        "/v1/sessions/second-factor",
        json={"second_factor_token": response.json["second_factor_token"], "code": "000000"},
    )
    assert_problem(response, 401)
