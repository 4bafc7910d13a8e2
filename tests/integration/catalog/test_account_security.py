"""Keeping an account safe over HTTP on PostgreSQL: no answer (status, body or median time)
tells whether an address has an account; ten wrong passwords are throttled and the right one
waits too (an injected clock, no sleeps); password reset by e-mail; a new device is news;
an organisation requires a second factor; a passkey signs in and its answer never again."""

from __future__ import annotations

import json
import re
import statistics
import time
from datetime import timedelta

import httpx
import sqlalchemy as sa

from services.catalog import invitations, passkeys
from services.catalog.domain.people import Actor
from services.catalog.models import OutboxMessage
from services.portal.app import create_app
from services.portal.catalog_api import CatalogApi
from shared import config
from shared.db.schema import utcnow
from shared.events import people as events
from tests.integration.catalog.conftest import assert_problem
from tests.unit.services.catalog.soft_authenticator import SoftAuthenticator

PASSWORD = "plum kettle orbit 47"
EMAIL = "zhang.min@xinyuan-micro.cn"
OPERATOR = Actor(platform_roles=frozenset({"operator"}), person_id="operator")


class Clock:
    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now


def joined(catalog, email=EMAIL, member_roles=("approver",)) -> str:
    """An approver of the vendor, invited and joined; their person id."""
    with catalog.context.unit_of_work() as uow:
        _, token = invitations.invite_member(
            uow, OPERATOR, catalog.vendor.id, email, list(member_roles)
        )
        person, _ = invitations.accept_invitation(
            uow, token, name_en="Zhang Min", password=PASSWORD
        )
        uow.commit()
        return person.id


def with_clock(catalog) -> Clock:
    clock = Clock()
    catalog.client.application.config["CLOCK"] = clock
    return clock


def post(client, email, password, address="203.0.113.7"):
    return client.post(
        "/v1/sessions",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def event_data(catalog, event_type) -> list[dict]:
    with catalog.context.session_factory() as session:
        payloads = session.scalars(
            sa.select(OutboxMessage.payload)
            .where(OutboxMessage.event_type == event_type)
            .order_by(OutboxMessage.seq)
        )
        return [json.loads(payload)["data"] for payload in payloads]


def refusal(response) -> tuple:
    body = dict(response.json)
    body.pop("request_id")
    return response.status_code, response.content_type, json.dumps(body, sort_keys=True)


def test_known_and_unknown_addresses_get_the_same_answer_in_the_same_median_time(catalog):
    joined(catalog)
    clock = with_clock(catalog)
    timings = {"known": [], "unknown": []}
    answers = set()
    for i in range(31):  # interleaved, so that the machine's load falls on both alike
        for kind, email in (("known", EMAIL), ("unknown", "nobody@xinyuan-micro.cn")):
            clock.now += timedelta(hours=2)  # failures an hour old are forgotten: no throttle
            started = time.perf_counter()
            response = post(catalog.client, email, f"wrong {PASSWORD} {i}", f"198.51.100.{i}")
            timings[kind].append(time.perf_counter() - started)
            answers.add(refusal(response))
    assert len(answers) == 1 and next(iter(answers))[0] == 401
    known, unknown = (statistics.median(timings[kind]) for kind in ("known", "unknown"))
    # Argon2id is most of either path (≈20 ms): without the dummy hash, the unknown address
    # would answer in a fraction of the time.
    assert abs(known - unknown) < 0.35 * min(known, unknown), (known, unknown)


def test_ten_wrong_passwords_are_throttled_and_the_right_one_waits_too(catalog):
    joined(catalog)
    clock = with_clock(catalog)
    statuses = [post(catalog.client, EMAIL, "wrong " + PASSWORD).status_code for _ in range(10)]
    assert statuses == [401] * 6 + [429] * 4  # five free failures, then each one waits
    response = post(catalog.client, EMAIL, PASSWORD)
    assert_problem(response, 429)
    assert response.headers["Retry-After"] == "2" and response.json["retry_after"] == 2
    clock.now += timedelta(seconds=1)
    assert post(catalog.client, EMAIL, PASSWORD).headers["Retry-After"] == "1"
    clock.now += timedelta(seconds=1)
    assert post(catalog.client, EMAIL, PASSWORD).status_code == 201


def test_a_password_reset_answers_alike_and_its_link_ends_every_session(catalog):
    person_id = joined(catalog)
    signed_in = post(catalog.client, EMAIL, PASSWORD).json
    answers = [
        catalog.client.post("/v1/sessions/password-reset", json={"email": email})
        for email in (EMAIL, "nobody@xinyuan-micro.cn")
    ]
    assert [(a.status_code, a.json) for a in answers] == [(202, {"status": "requested"})] * 2
    (requested,) = event_data(catalog, events.PASSWORD_RESET_REQUESTED)
    assert (requested["person_id"], requested["locale"]) == (person_id, "zh-Hans")
    new_password = "lantern quiet harbour 93"
    body = {"token": requested["link_token"], "password": new_password}
    weak = catalog.client.post(
        "/v1/sessions/password-reset/complete", json=body | {"password": "x"}
    )
    assert_problem(weak, 422, "password")
    done = catalog.client.post("/v1/sessions/password-reset/complete", json=body)
    assert done.status_code == 200 and done.json["person_id"] == person_id
    assert [e["session_id"] for e in event_data(catalog, events.SESSION_ENDED)] == [
        signed_in["session_id"]
    ]
    refresh = {"refresh_token": signed_in["refresh_token"]}
    assert_problem(catalog.client.post("/v1/sessions/refresh", json=refresh), 401)
    again = catalog.client.post("/v1/sessions/password-reset/complete", json=body)
    assert_problem(again, 422, "token")  # the link works once
    assert post(catalog.client, EMAIL, new_password).status_code == 201


def test_a_sign_in_from_a_new_browser_is_news_and_the_same_browser_is_not(catalog):
    joined(catalog)
    laptop, phone = catalog.client, catalog.client.application.test_client()
    first = post(laptop, EMAIL, PASSWORD)
    assert "ipmarket_device=" in first.headers["Set-Cookie"]
    assert "HttpOnly" in first.headers["Set-Cookie"]
    assert post(laptop, EMAIL, PASSWORD).status_code == 201  # the cookie comes back
    assert event_data(catalog, events.SIGNED_IN_FROM_NEW_DEVICE) == []
    other = post(phone, EMAIL, PASSWORD, address="198.51.100.20")
    (news,) = event_data(catalog, events.SIGNED_IN_FROM_NEW_DEVICE)
    assert (news["session_id"], news["client_address"]) == (
        other.json["session_id"],
        "198.51.100.20",
    )


def test_through_the_portal_the_device_is_the_persons_browser_not_the_portal(catalog):
    """The portal hands each browser's device cookie to the catalog and back: the same browser
    is not news; another is, even right after someone else signed in through the same portal."""
    zhang = joined(catalog)
    joined(catalog, "chen.jie@xinyuan-micro.cn")
    portal = create_app(
        {"IPMARKET_PORTAL_SECRET_KEY": "device cookie integration test secret"},
        CatalogApi("http://catalog", transport=httpx.WSGITransport(app=catalog.client.application)),
    )
    laptop, colleague, phone = (portal.test_client() for _ in range(3))

    def sign_in(browser, email=EMAIL):
        form = browser.get("/sign-in").text
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', form).group(1)
        data = {"csrf_token": token, "email": email, "password": PASSWORD}
        answer = browser.post("/sign-in", data=data)
        assert answer.status_code == 303, answer.text
        return answer

    first = sign_in(laptop)
    kept = first.headers["Set-Cookie"]
    assert "ipmarket_device=" in kept and "HttpOnly" in kept and "Path=/sign-in" in kept
    sign_in(colleague, "chen.jie@xinyuan-micro.cn")  # the first device of each is no news
    sign_in(laptop)
    assert event_data(catalog, events.SIGNED_IN_FROM_NEW_DEVICE) == []
    sign_in(phone)
    (news,) = event_data(catalog, events.SIGNED_IN_FROM_NEW_DEVICE)
    assert news["person_id"] == zhang


def test_an_owner_requires_a_second_factor_of_the_members(catalog):
    joined(catalog)
    url = f"/v1/organisations/{catalog.vendor.id}/second-factor-requirement"
    assert_problem(
        catalog.client.put(url, json={"required": True}, headers=catalog.licensee.auth), 404
    )
    assert_problem(
        catalog.client.put(url, json={"required": "perhaps"}, headers=catalog.vendor.auth), 422
    )
    assert post(catalog.client, EMAIL, PASSWORD).json["status"] == "signed_in"
    response = catalog.client.put(url, json={"required": True}, headers=catalog.vendor.auth)
    assert response.status_code == 200 and response.json["requires_second_factor"] is True
    assert post(catalog.client, EMAIL, PASSWORD).json["status"] == "second_factor_setup_needed"


def test_a_passkey_signs_in_over_http_and_its_answer_never_again(catalog):
    person_id = joined(catalog)
    rp = passkeys.RelyingParty(config.get("IPMARKET_PORTAL_URL"))
    phone = SoftAuthenticator(rp.origin)
    with catalog.context.unit_of_work() as uow:  # enrolling needs a person's credential
        ceremony = passkeys.registration_options(uow, Actor(person_id=person_id), rp)
        passkeys.enrol(
            uow,
            Actor(person_id=person_id),
            ceremony.ceremony_id,
            phone.create(ceremony.options),
            "phone",
            rp,
        )
        uow.commit()
    options = catalog.client.post("/v1/sessions/passkey/options", json={})
    assert options.status_code == 201
    answer = {
        "ceremony_id": options.json["ceremony_id"],
        "credential": phone.get(options.json["options"]),
    }
    signed_in = catalog.client.post("/v1/sessions/passkey", json=answer)
    assert signed_in.status_code == 201 and signed_in.json["status"] == "signed_in"
    assert_problem(catalog.client.post("/v1/sessions/passkey", json=answer), 401)
    # With a passkey, the password alone opens no session; the passkey is the second factor.
    pending = post(catalog.client, EMAIL, PASSWORD).json
    assert pending["status"] == "second_factor_needed"
    options = catalog.client.post(
        "/v1/sessions/passkey/options",
        json={"second_factor_token": pending["second_factor_token"]},
    ).json
    answer = {"ceremony_id": options["ceremony_id"], "credential": phone.get(options["options"])}
    assert catalog.client.post("/v1/sessions/passkey", json=answer).status_code == 201


def test_an_api_key_enrols_no_passkey(catalog):
    response = catalog.client.post("/v1/people/me/passkeys/options", headers=catalog.vendor.auth)
    assert_problem(response, 403)
    assert_problem(catalog.client.post("/v1/people/me/passkeys/options"), 401)


def test_a_person_lists_their_passkeys_and_removes_one_which_then_signs_no_one_in(catalog):
    person_id = joined(catalog)
    rp = passkeys.RelyingParty(config.get("IPMARKET_PORTAL_URL"))
    phone, laptop = SoftAuthenticator(rp.origin), SoftAuthenticator(rp.origin)
    for name, authenticator in (("phone", phone), ("laptop", laptop)):
        with catalog.context.unit_of_work() as uow:
            ceremony = passkeys.registration_options(uow, Actor(person_id=person_id), rp)
            passkeys.enrol(
                uow,
                Actor(person_id=person_id),
                ceremony.ceremony_id,
                authenticator.create(ceremony.options),
                name,
                rp,
            )
            uow.commit()
    other_id = joined(catalog, "li.na@xinyuan-micro.cn")
    with catalog.context.unit_of_work() as uow:
        assert passkeys.passkeys_of(uow, Actor(person_id=other_id)) == []
    options = catalog.client.post("/v1/sessions/passkey/options", json={}).json
    answer = {"ceremony_id": options["ceremony_id"], "credential": phone.get(options["options"])}
    signed_in = catalog.client.post("/v1/sessions/passkey", json=answer).json
    auth = {"Authorization": f"Bearer {signed_in['access_token']}"}

    listed = catalog.client.get("/v1/people/me/passkeys", headers=auth)
    assert listed.status_code == 200
    assert [p["name"] for p in listed.json["items"]] == ["phone", "laptop"]
    assert listed.json["items"][0]["last_used_at"] is not None
    assert listed.json["items"][1]["last_used_at"] is None
    laptop_id = listed.json["items"][1]["id"]

    assert_problem(catalog.client.get("/v1/people/me/passkeys", headers=catalog.vendor.auth), 403)
    assert_problem(catalog.client.delete(f"/v1/people/me/passkeys/{laptop_id}"), 401)
    removed = catalog.client.delete(f"/v1/people/me/passkeys/{laptop_id}", headers=auth)
    assert removed.status_code == 200 and removed.json == {"id": laptop_id, "removed": True}
    assert_problem(catalog.client.delete(f"/v1/people/me/passkeys/{laptop_id}", headers=auth), 404)
    listed = catalog.client.get("/v1/people/me/passkeys", headers=auth).json["items"]
    assert [p["name"] for p in listed] == ["phone"]
    options = catalog.client.post("/v1/sessions/passkey/options", json={}).json
    answer = {"ceremony_id": options["ceremony_id"], "credential": laptop.get(options["options"])}
    assert_problem(catalog.client.post("/v1/sessions/passkey", json=answer), 401)
