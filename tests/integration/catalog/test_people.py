"""People joining over HTTP, on the catalog's database: an organisation applies, the operator
approves, its contact accepts the e-mailed invitation, the owner invites a member."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.catalog.models import Base, OutboxMessage
from services.catalog.people_models import Membership, Person
from shared.events import people as events
from tests.integration.catalog.conftest import assert_problem

PASSWORD = "plum kettle orbit 47"
APPLICATION = {
    "legal_name_en": "Lakeside Photonics",
    "legal_name_zh": "湖畔光电",
    "country": "HK",
    "registration_number": "HK-7743210",
    "roles": ["licensee"],
    "contact_name": "Chan Siu Ming",
    "contact_email": "SM.Chan@lakeside.hk",
    "locale": "zh-Hant",
    "timezone": "Asia/Hong_Kong",
}
PEOPLE_TABLES = {
    "person",
    "membership",
    "organisation_application",
    "invitation",
    "person_session",
    "totp_secret",
    "recovery_code",
    "sign_in_throttle",
    "token_key",
}


@pytest.mark.databases("sqlite", "postgresql")
def test_the_migration_makes_the_people_tables_as_the_models_say(make_database):
    engine = sa.create_engine(make_database("catalog"))
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    about_people = [d for d in differences if PEOPLE_TABLES & set(str(d).split("'"))]
    assert about_people == []
    assert PEOPLE_TABLES <= set(Base.metadata.tables)


def last_event(catalog, event_type: str) -> dict:
    with catalog.context.session_factory() as session:
        payload = session.scalar(
            sa.select(OutboxMessage.payload)
            .where(OutboxMessage.event_type == event_type)
            .order_by(OutboxMessage.seq.desc())
        )
    return json.loads(payload)["data"]


def approved_application(catalog) -> tuple[dict, str]:
    response = catalog.client.post("/v1/organisation-applications", json=APPLICATION)
    assert response.status_code == 201, response.json
    application = response.json
    assert application["status"] == "pending"
    assert last_event(catalog, events.ORGANISATION_APPLIED)["application_id"] == application["id"]
    response = catalog.client.post(
        f"/v1/organisation-applications/{application['id']}/approve", headers=catalog.admin.auth
    )
    assert response.status_code == 200, response.json
    invited = last_event(catalog, events.MEMBER_INVITED)
    assert (invited["email"], invited["roles"], invited["locale"]) == (
        "SM.Chan@lakeside.hk",
        ["owner"],
        "zh-Hant",
    )
    return response.json, invited["link_token"]


def test_an_approved_organisations_contact_joins_as_owner_once(catalog):
    application, token = approved_application(catalog)
    assert application["status"] == "approved" and application["organisation_id"]
    body = {"token": token, "name_en": "Chan Siu Ming", "name_zh": "陳小明", "password": PASSWORD}
    response = catalog.client.post("/v1/invitations/accept", json=body)
    assert response.status_code == 201, response.json
    member = response.json
    assert (member["organisation_id"], member["roles"], member["email"]) == (
        application["organisation_id"],
        ["owner"],
        "SM.Chan@lakeside.hk",
    )
    assert "password" not in member
    assert last_event(catalog, events.MEMBER_JOINED)["person_id"] == member["person_id"]
    before = catalog.snapshot()
    assert_problem(catalog.client.post("/v1/invitations/accept", json=body), 409, "token")
    assert catalog.snapshot() == before
    with catalog.context.session_factory() as session:
        person = session.scalar(sa.select(Person))
        assert person.email_key == "sm.chan@lakeside.hk"
        assert person.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_declined_application_registers_nothing(catalog):
    response = catalog.client.post("/v1/organisation-applications", json=APPLICATION)
    organisations = len(catalog.snapshot()["organisation"])
    response = catalog.client.post(
        f"/v1/organisation-applications/{response.json['id']}/decline",
        json={"reason": "registration number unknown"},
        headers=catalog.admin.auth,
    )
    assert response.status_code == 200 and response.json["status"] == "declined"
    assert (
        last_event(catalog, events.ORGANISATION_APPLICATION_DECLINED)["reason"]
        == "registration number unknown"
    )
    assert len(catalog.snapshot()["organisation"]) == organisations


def test_only_the_operator_decides(catalog):
    response = catalog.client.post("/v1/organisation-applications", json=APPLICATION)
    before = catalog.snapshot()
    response = catalog.client.post(
        f"/v1/organisation-applications/{response.json['id']}/approve",
        headers=catalog.licensee.auth,
    )
    assert_problem(response, 403)
    assert catalog.snapshot() == before


def test_the_operator_lists_the_pending_applications_page_by_page_and_reads_one(catalog):
    ids = [
        catalog.client.post("/v1/organisation-applications", json=APPLICATION).json["id"]
        for _ in range(3)
    ]
    catalog.client.post(
        f"/v1/organisation-applications/{ids[0]}/decline", headers=catalog.admin.auth
    )
    listed = "/v1/organisation-applications?status=pending&limit=1"
    first = catalog.client.get(listed, headers=catalog.admin.auth).json
    second = catalog.client.get(f"{listed}&cursor={first['next']}", headers=catalog.admin.auth).json
    pending = [a["id"] for a in first["items"] + second["items"] if a["id"] in ids]
    assert pending == ids[1:] and all(a["status"] == "pending" for a in second["items"])
    one = catalog.client.get(f"/v1/organisation-applications/{ids[0]}", headers=catalog.admin.auth)
    assert one.status_code == 200 and one.json["status"] == "declined"
    assert_problem(
        catalog.client.get("/v1/organisation-applications", headers=catalog.licensee.auth), 403
    )
    missing = f"/v1/organisation-applications/{uuid.uuid4()}"
    assert_problem(catalog.client.get(missing, headers=catalog.admin.auth), 404)
    bad = catalog.client.get(
        "/v1/organisation-applications?status=maybe", headers=catalog.admin.auth
    )
    assert_problem(bad, 422)


def test_an_organisation_invites_a_member_and_a_weak_password_is_refused(catalog):
    response = catalog.client.post(
        f"/v1/organisations/{catalog.vendor.id}/invitations",
        json={"email": "zhang.min@xinyuan-micro.cn", "roles": ["approver"]},
        headers=catalog.vendor.auth,
    )
    assert response.status_code == 201, response.json
    assert "token" not in json.dumps(response.json)  # the link goes by e-mail only
    token = last_event(catalog, events.MEMBER_INVITED)["link_token"]
    response = catalog.client.post(
        "/v1/invitations/accept",
        json={"token": token, "name_en": "Zhang Min", "password": "passwordpassword"},
    )
    assert_problem(response, 422, "password")
    response = catalog.client.post(
        "/v1/invitations/accept",
        json={"token": token, "name_en": "Zhang Min", "password": "river lantern 1988 mango"},
    )
    assert response.status_code == 201 and response.json["roles"] == ["approver"]
    with catalog.context.session_factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1


def test_a_withdrawn_invitation_leaves_the_list_and_its_link_refuses(catalog):
    invitations = f"/v1/organisations/{catalog.vendor.id}/invitations"
    invited = catalog.client.post(
        invitations,
        json={"email": "zhang.min@xinyuan-micro.cn", "roles": ["approver"]},
        headers=catalog.vendor.auth,
    ).json
    token = last_event(catalog, events.MEMBER_INVITED)["link_token"]
    path = f"{invitations}/{invited['id']}"
    assert_problem(catalog.client.delete(path, headers=catalog.licensee.auth), 404)
    assert catalog.client.delete(path, headers=catalog.vendor.auth).status_code == 204
    assert catalog.client.delete(path, headers=catalog.vendor.auth).status_code == 204
    listed = catalog.client.get(invitations, headers=catalog.vendor.auth).json["items"]
    assert invited["id"] not in [i["id"] for i in listed]
    response = catalog.client.post(
        "/v1/invitations/accept",
        json={"token": token, "name_en": "Zhang Min", "password": PASSWORD},
    )
    assert_problem(response, 409, "token")
    assert "withdrawn" in response.json["detail"]


def test_a_stranger_cannot_invite_into_another_organisation(catalog):
    before = catalog.snapshot()
    response = catalog.client.post(
        f"/v1/organisations/{catalog.vendor.id}/invitations",
        json={"email": "x@example.com", "roles": ["owner"]},
        headers=catalog.licensee.auth,
    )
    assert_problem(response, 404)
    assert catalog.snapshot() == before


def test_a_removed_member_is_refused_by_the_catalog_at_once(catalog):
    from services.catalog import sessions

    response = catalog.client.post(
        f"/v1/organisations/{catalog.vendor.id}/invitations",
        json={"email": "zhang.min@xinyuan-micro.cn", "roles": ["approver"]},
        headers=catalog.vendor.auth,
    )
    token = last_event(catalog, events.MEMBER_INVITED)["link_token"]
    member = catalog.client.post(
        "/v1/invitations/accept",
        json={"token": token, "name_en": "Zhang Min", "password": PASSWORD},
    ).json
    signed_in = catalog.client.post(
        "/v1/sessions", json={"email": "zhang.min@xinyuan-micro.cn", "password": PASSWORD}
    ).json
    path = f"/v1/organisations/{catalog.vendor.id}/members/{member['person_id']}"
    assert_problem(catalog.client.delete(path, headers=catalog.licensee.auth), 404)
    response = catalog.client.delete(path, headers=catalog.vendor.auth)
    assert response.status_code == 204
    assert last_event(catalog, events.MEMBER_REMOVED)["person_id"] == member["person_id"]
    with catalog.context.unit_of_work() as uow:
        actor = sessions.actor_for_access_token(uow, signed_in["access_token"])
    assert actor.memberships == {}
