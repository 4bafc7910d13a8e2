"""An organisation's members and open invitations over HTTP: listed for its own members and the
operator, paged, with roles and whether each has a second factor; 404 to anyone else."""

from __future__ import annotations

from services.catalog.people_models import TotpSecret
from shared.db.schema import utcnow
from shared.events import people as events
from tests.integration.catalog.conftest import assert_problem
from tests.integration.catalog.test_people import PASSWORD, last_event


def join(catalog, email: str, roles: list[str]) -> dict:
    catalog.client.post(
        f"/v1/organisations/{catalog.vendor.id}/invitations",
        json={"email": email, "roles": roles},
        headers=catalog.vendor.auth,
    )
    token = last_event(catalog, events.MEMBER_INVITED)["link_token"]
    return catalog.client.post(
        "/v1/invitations/accept",
        json={"token": token, "name_en": email.split("@")[0], "password": PASSWORD},
    ).json


def test_members_are_listed_a_page_at_a_time_with_roles_for_the_organisation_only(catalog):
    first = join(catalog, "zhang.min@xinyuan-micro.cn", ["approver"])
    second = join(catalog, "li.na@xinyuan-micro.cn", ["publisher", "viewer"])
    with catalog.context.unit_of_work() as uow:  # li.na has an authenticator app
        uow.session.add(
            TotpSecret(person_id=second["person_id"], secret="A" * 32, confirmed_at=utcnow())
        )
        uow.commit()
    path = f"/v1/organisations/{catalog.vendor.id}/members"
    page = catalog.client.get(path, query_string={"limit": 1}, headers=catalog.vendor.auth)
    assert page.status_code == 200, page.json
    [member] = page.json["items"]
    assert member == {
        "person_id": first["person_id"],
        "organisation_id": catalog.vendor.id,
        "name_en": "zhang.min",
        "name_zh": None,
        "email": "zhang.min@xinyuan-micro.cn",
        "roles": ["approver"],
        "joined_at": member["joined_at"],
        "has_second_factor": False,
    }
    rest = catalog.client.get(
        path, query_string={"cursor": page.json["next"]}, headers=catalog.vendor.auth
    ).json
    assert [m["person_id"] for m in rest["items"]] == [second["person_id"]]
    assert rest["items"][0]["roles"] == ["publisher", "viewer"] and rest["next"] is None
    assert rest["items"][0]["has_second_factor"] is True
    assert_problem(catalog.client.get(path, headers=catalog.licensee.auth), 404)
    assert catalog.client.get(path, headers=catalog.admin.auth).status_code == 200
    assert_problem(catalog.client.get(path), 401)
    assert_problem(
        catalog.client.get(path, query_string={"cursor": "nonsense"}, headers=catalog.vendor.auth),
        422,
        "cursor",
    )


def test_open_invitations_are_listed_until_accepted(catalog):
    path = f"/v1/organisations/{catalog.vendor.id}/invitations"
    catalog.client.post(
        path,
        json={"email": "wang.fang@xinyuan-micro.cn", "roles": ["buyer"]},
        headers=catalog.vendor.auth,
    )
    join(catalog, "zhang.min@xinyuan-micro.cn", ["approver"])  # invited and accepted
    answer = catalog.client.get(path, headers=catalog.vendor.auth)
    assert answer.status_code == 200
    assert [(i["email"], i["roles"]) for i in answer.json["items"]] == [
        ("wang.fang@xinyuan-micro.cn", ["buyer"])
    ]
    assert_problem(catalog.client.get(path, headers=catalog.other_vendor.auth), 404)
