"""Signing in over HTTP on PostgreSQL: the same refusal for a known and an unknown address,
throttling with Retry-After that the right password waits out too, refreshing."""
from __future__ import annotations

import pytest

from services.catalog import people, sign_in
from tests.integration.catalog.conftest import assert_problem

PASSWORD = "plum kettle orbit 47"
EMAIL = "ops@vip-platform.hk"


@pytest.fixture
def person(catalog):
    with catalog.context.unit_of_work() as uow:
        people.create_operator(uow, EMAIL, "Chan Tai Man", PASSWORD)
        uow.commit()
    return catalog


def post(catalog, email, password, address="203.0.113.7"):
    return catalog.client.post("/v1/sessions", json={"email": email, "password": password},
                               environ_base={"REMOTE_ADDR": address})


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
        actor = sign_in.actor_for_access_token(uow, signed_in["access_token"])
    assert actor.platform_roles == {"operator"}
    response = person.client.post("/v1/sessions/refresh",
                                  json={"refresh_token": signed_in["refresh_token"]})
    assert response.status_code == 200 and response.json["session_id"] == \
        signed_in["session_id"]
    assert_problem(person.client.post("/v1/sessions/refresh", json={
        "refresh_token": signed_in["refresh_token"]}), 401)


def test_a_known_and_an_unknown_address_are_refused_alike(person):
    known = post(person, EMAIL, "wrong " + PASSWORD)
    unknown = post(person, "nobody@vip-platform.hk", "wrong " + PASSWORD)
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
    assert_problem(post(person, "nobody@vip-platform.hk", PASSWORD, "198.51.100.9"), 401)
