"""People over HTTP on PostgreSQL: a person sets their own language and time zone
(PATCH /v1/people/me); a signed-in operator lists people, reads one and sets their platform
roles (/v1/people); the migration that tells every person's platform roles again."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime

import pyotp
import pytest
import sqlalchemy as sa

from services.catalog import invitations, people
from services.catalog.domain.people import Actor
from services.catalog.models import OutboxMessage
from services.catalog.people_models import PeopleAuditRecord
from shared.events import people as people_events
from shared.events.registry import schema_for
from tests.integration.catalog.conftest import assert_problem

PASSWORD = "plum kettle orbit 47"
MEMBER = "zhang.min@xinyuan-micro.cn"
OPERATOR = Actor(platform_roles=frozenset({"operator"}), person_id="operator")


@pytest.fixture
def catalog(catalog):
    """With an approver of the vendor and two operators (the test signs in the first)."""
    with catalog.context.unit_of_work() as uow:
        _, token = invitations.invite_member(uow, OPERATOR, catalog.vendor.id, MEMBER, ["approver"])
        invitations.accept_invitation(
            uow, token, name_en="Zhang Min", name_zh="张敏", password=PASSWORD
        )
        people.create_operator(uow, "ops@vip-platform.hk", "Chan Tai Man", PASSWORD)
        people.create_operator(uow, "rev@vip-platform.hk", "Rita View", PASSWORD)
        uow.commit()
    return catalog


def member(catalog) -> dict:
    response = catalog.client.post("/v1/sessions", json={"email": MEMBER, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def operator(catalog, email: str = "ops@vip-platform.hk") -> dict:
    """Signed in as an operator, who always sets up and gives a second factor."""
    answer = catalog.client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    token = answer.json["second_factor_token"]
    setup = catalog.client.post(
        "/v1/sessions/second-factor/setup", json={"second_factor_token": token}
    )
    code = pyotp.parse_uri(setup.json["otpauth_uri"]).now()
    signed_in = catalog.client.post(
        "/v1/sessions/second-factor/confirm", json={"second_factor_token": token, "code": code}
    )
    assert signed_in.json["status"] == "signed_in", signed_in.json
    return {"Authorization": f"Bearer {signed_in.json['access_token']}"}


def outbox(catalog, event_type: str) -> list[dict]:
    with catalog.context.session_factory() as session:
        payloads = session.scalars(
            sa.select(OutboxMessage.payload)
            .where(OutboxMessage.event_type == event_type)
            .order_by(OutboxMessage.seq)
        )
        return [json.loads(p) for p in payloads]


def audit(catalog, action: str) -> list[PeopleAuditRecord]:
    with catalog.context.session_factory() as session:
        query = sa.select(PeopleAuditRecord).where(PeopleAuditRecord.action == action)
        return list(session.scalars(query))


# --- a person's own language and time zone ----------------------------------------------------


def test_a_person_sets_their_language_and_time_zone_with_an_event_and_an_audit(catalog):
    headers = member(catalog)
    changed = catalog.client.patch(
        "/v1/people/me", json={"locale": "zh-Hant", "timezone": "Asia/Hong_Kong"}, headers=headers
    )
    assert changed.status_code == 200, changed.json
    assert (changed.json["locale"], changed.json["timezone"]) == ("zh-Hant", "Asia/Hong_Kong")
    me = catalog.client.get("/v1/people/me", headers=headers).json
    assert (me["locale"], me["timezone"]) == ("zh-Hant", "Asia/Hong_Kong")
    [event] = outbox(catalog, people_events.SETTINGS_CHANGED)
    assert event["subject"] == me["person_id"]
    assert event["actorid"] == me["person_id"]  # the person acted, as every event says
    data = schema_for(people_events.SETTINGS_CHANGED).load(event["data"])
    assert (data["locale"], data["timezone"]) == ("zh-Hant", "Asia/Hong_Kong")
    [record] = audit(catalog, "people.settings")
    assert (record.actor, record.subject) == (f"person:{me['person_id']}", MEMBER)
    # null: the organisation's again; a field left out stays
    back = catalog.client.patch("/v1/people/me", json={"locale": None}, headers=headers)
    assert (back.json["locale"], back.json["timezone"]) == (None, "Asia/Hong_Kong")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"locale": "zh-TW"}, "locale"),
        ({"timezone": "Asia/Taipei City"}, "timezone"),
        ({"timezone": "utc/nowhere"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"nickname": "Min"}, "nickname"),
    ],
)
def test_a_bad_setting_is_a_problem_naming_its_field_and_changes_nothing(catalog, body, field):
    headers = member(catalog)
    refused = catalog.client.patch("/v1/people/me", json=body, headers=headers)
    assert_problem(refused, 422, field)
    me = catalog.client.get("/v1/people/me", headers=headers).json
    assert (me["locale"], me["timezone"]) == (None, None)
    assert outbox(catalog, people_events.SETTINGS_CHANGED) == []


def test_an_api_key_has_no_settings(catalog):
    refused = catalog.client.patch(
        "/v1/people/me", json={"locale": "en"}, headers=catalog.vendor.auth
    )
    assert_problem(refused, 403)


# --- the operator's view of people ------------------------------------------------------------


def test_an_operator_lists_people_by_address_and_platform_role_a_page_at_a_time(catalog):
    headers = operator(catalog)
    everyone = catalog.client.get("/v1/people?limit=2", headers=headers)
    assert everyone.status_code == 200, everyone.json
    first_page = [p["email"] for p in everyone.json["items"]]
    rest = catalog.client.get(f"/v1/people?cursor={everyone.json['next']}", headers=headers).json
    assert first_page + [p["email"] for p in rest["items"]] == [
        MEMBER,
        "ops@vip-platform.hk",
        "rev@vip-platform.hk",
    ]
    assert rest["next"] is None
    found = catalog.client.get("/v1/people?email=ZHANG.MIN@", headers=headers).json["items"]
    assert [p["email"] for p in found] == [MEMBER]
    assert found[0]["memberships"] == [
        {
            "organisation_id": catalog.vendor.id,
            "legal_name_en": "Shanghai Xinyuan Microelectronics",
            "legal_name_zh": "上海芯元微电子有限公司",
            "kinds": ["vendor"],
            "roles": ["approver"],
        }
    ]
    exact = catalog.client.get(f"/v1/people?email={MEMBER}", headers=headers).json["items"]
    assert [p["email"] for p in exact] == [MEMBER]
    operators = catalog.client.get("/v1/people?platform_role=operator", headers=headers).json
    assert [p["email"] for p in operators["items"]] == [
        "ops@vip-platform.hk",
        "rev@vip-platform.hk",
    ]
    assert operators["items"][0]["second_factor"] is True
    none = catalog.client.get("/v1/people?platform_role=export_reviewer", headers=headers).json
    assert none["items"] == []
    assert_problem(
        catalog.client.get("/v1/people?platform_role=root", headers=headers), 422, "platform_role"
    )


def test_an_operator_reads_a_person_and_an_unknown_one_is_not_found(catalog):
    headers = operator(catalog)
    [listed] = catalog.client.get(f"/v1/people?email={MEMBER}", headers=headers).json["items"]
    person = catalog.client.get(f"/v1/people/{listed['person_id']}", headers=headers)
    assert person.status_code == 200 and person.json == listed
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_problem(catalog.client.get(f"/v1/people/{unknown}", headers=headers), 404)


def test_an_operator_sets_platform_roles_with_an_event_an_audit_and_the_last_operator_stays(
    catalog,
):
    headers = operator(catalog)
    people_list = catalog.client.get("/v1/people", headers=headers).json["items"]
    ids = {p["email"]: p["person_id"] for p in people_list}
    before = len(outbox(catalog, people_events.PLATFORM_ROLES_CHANGED))
    made = catalog.client.put(
        f"/v1/people/{ids[MEMBER]}/platform-roles",
        json={"roles": ["export_reviewer"]},
        headers=headers,
    )
    assert made.status_code == 200, made.json
    assert (made.json["email"], made.json["platform_roles"]) == (MEMBER, ["export_reviewer"])
    taken = catalog.client.put(
        f"/v1/people/{ids['rev@vip-platform.hk']}/platform-roles",
        json={"roles": []},
        headers=headers,
    )
    assert taken.json["platform_roles"] == []
    # the signed-in operator is now the last one: they stay one
    last = catalog.client.put(
        f"/v1/people/{ids['ops@vip-platform.hk']}/platform-roles",
        json={"roles": ["export_reviewer"]},
        headers=headers,
    )
    assert_problem(last, 409)
    events = outbox(catalog, people_events.PLATFORM_ROLES_CHANGED)[before:]
    assert [(e["subject"], e["data"]["platform_roles"]) for e in events] == [
        (ids[MEMBER], ["export_reviewer"]),
        (ids["rev@vip-platform.hk"], []),
    ]
    assert {e["actorid"] for e in events} == {ids["ops@vip-platform.hk"]}
    records = audit(catalog, "people.platform_roles")
    assert [(r.actor, r.subject, r.detail["after"]) for r in records] == [
        (f"person:{ids['ops@vip-platform.hk']}", MEMBER, ["export_reviewer"]),
        (f"person:{ids['ops@vip-platform.hk']}", "rev@vip-platform.hk", []),
    ]
    bad = catalog.client.put(
        f"/v1/people/{ids[MEMBER]}/platform-roles", json={"roles": ["root"]}, headers=headers
    )
    assert_problem(bad, 422, "roles.0")


def test_only_an_operator_or_the_platforms_key_sees_and_changes_people(catalog):
    headers = operator(catalog)
    [listed] = catalog.client.get(f"/v1/people?email={MEMBER}", headers=headers).json["items"]
    path = f"/v1/people/{listed['person_id']}"
    for refused_headers in (member(catalog), catalog.vendor.auth):
        for response in (
            catalog.client.get("/v1/people", headers=refused_headers),
            catalog.client.get(path, headers=refused_headers),
            catalog.client.put(
                f"{path}/platform-roles", json={"roles": ["operator"]}, headers=refused_headers
            ),
        ):
            assert_problem(response, 403)
    assert_problem(catalog.client.get("/v1/people"), 401)
    by_key = catalog.client.get(path, headers=catalog.admin.auth)  # the platform's machines
    assert by_key.status_code == 200 and by_key.json["person_id"] == listed["person_id"]
    after = catalog.client.get(path, headers=headers).json
    assert after["platform_roles"] == []


# --- telling every person's platform roles again (migration 0010) ------------------------------


def test_the_migration_tells_each_platform_person_s_roles_again(catalog):
    republish = importlib.import_module(
        "services.catalog.migrations.versions.0010_republish_platform_roles"
    ).republish
    before = outbox(catalog, people_events.PLATFORM_ROLES_CHANGED)
    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    with catalog.context.engine.begin() as connection:
        assert republish(connection, now) == 2
    told = outbox(catalog, people_events.PLATFORM_ROLES_CHANGED)[len(before) :]
    assert sorted((e["data"]["email"], e["data"]["platform_roles"]) for e in told) == [
        ("ops@vip-platform.hk", ["operator"]),
        ("rev@vip-platform.hk", ["operator"]),
    ]
    for event in told:
        schema_for(people_events.PLATFORM_ROLES_CHANGED).load(event["data"])
        assert event["data"]["changed_at"] == now.isoformat()
        assert event["actorkind"] == "system"
