"""An organisation's team: members and roles for every member to read; inviting, changing
roles, removing and the second-factor requirement for owners only; the catalog's refusals
shown beside their field."""

from __future__ import annotations

import json

from tests.unit.services.portal.vendor.fake_cores import csrf_of, workspace


def test_every_member_reads_the_team_and_only_owners_are_offered_its_forms():
    client, catalog = workspace(["viewer"])
    page = client.get("/vendor/team").text
    assert "person_2@xinyuan.example" in page and "Viewer" in page
    assert 'href="/vendor/team"' in page
    assert "/vendor/team/invitations" not in page and "/members/person_2/roles" not in page
    token = {"remove-person_2-csrf_token": csrf_of(page)}
    answer = client.post("/vendor/team/members/person_2/remove", data=token)
    assert answer.status_code == 404 and catalog.changes() == []
    assert client.get("/team").status_code == 200  # the same, outside the vendor workspace


def test_an_owner_invites_with_roles_and_a_taken_address_is_refused_beside_the_field():
    client, catalog = workspace(["owner"], locale="zh-Hans")
    page = client.get("/vendor/team").text
    data = {"invite-csrf_token": csrf_of(page), "invite-email": "wang@xinyuan.example"}
    answer = client.post("/vendor/team/invitations", data=data)
    assert answer.status_code == 422 and 'id="invite-roles-error"' in answer.text
    assert catalog.changes() == []
    data["invite-roles"] = ["publisher", "viewer"]
    answer = client.post(
        "/vendor/team/invitations", data=data | {"invite-email": "x@taken.example"}
    )
    assert answer.status_code == 422 and "a member already" in answer.text
    assert client.post("/vendor/team/invitations", data=data).status_code == 303
    assert json.loads(catalog.changes()[-1].content) == {
        "email": "wang@xinyuan.example",
        "roles": ["publisher", "viewer"],
    }


def test_an_owner_changes_roles_removes_a_member_and_requires_a_second_factor():
    client, catalog = workspace(["owner"])
    page = client.get("/team").text
    token = csrf_of(page)
    answer = client.post(
        "/team/members/person_2/roles",
        data={"roles-person_2-csrf_token": token, "roles-person_2-roles": ["approver"]},
    )
    assert answer.status_code == 303 and catalog.members[1]["roles"] == ["approver"]
    answer = client.post(
        "/team/members/person_1/roles",
        data={"roles-person_1-csrf_token": token, "roles-person_1-roles": ["viewer"]},
    )
    assert answer.status_code == 422 and "the last owner stays" in answer.text
    assert catalog.members[0]["roles"] == ["owner"]
    answer = client.post(
        "/team/members/person_2/remove", data={"remove-person_2-csrf_token": token}
    )
    assert answer.status_code == 303 and len(catalog.members) == 1
    answer = client.post(
        "/team/second-factor",
        data={"second-factor-csrf_token": token, "second-factor-required": "y"},
    )
    assert answer.status_code == 303 and catalog.requires_second_factor
    assert "Every member signs in with a second factor." in client.get("/team").text


def test_an_owner_withdraws_an_invitation_and_it_leaves_the_list():
    client, catalog = workspace(["owner"], locale="zh-Hans")
    page = client.get("/vendor/team").text
    assert (
        "wang@xinyuan.example" in page
        and 'action="/vendor/team/invitations/inv_1/withdraw"' in page
    )
    answer = client.post("/vendor/team/invitations/inv_1/withdraw", data={})
    assert answer.status_code == 400 and catalog.changes() == []  # no CSRF token: nothing done
    token = {"withdraw-inv_1-csrf_token": csrf_of(page)}
    answer = client.post("/vendor/team/invitations/inv_1/withdraw", data=token)
    assert answer.status_code == 303
    [withdrawn] = catalog.changes()
    assert withdrawn.method == "DELETE"
    assert withdrawn.url.path.endswith("/invitations/inv_1")
    assert "wang@xinyuan.example" not in client.get("/vendor/team").text


def test_a_viewer_is_not_offered_withdrawing_and_cannot_post_it():
    client, catalog = workspace(["viewer"])
    page = client.get("/team").text
    assert "/invitations/inv_1/withdraw" not in page
    token = {"withdraw-inv_1-csrf_token": csrf_of(page)}
    assert client.post("/team/invitations/inv_1/withdraw", data=token).status_code == 404
    assert catalog.changes() == []
