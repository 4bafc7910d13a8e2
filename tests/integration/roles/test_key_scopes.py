"""API keys carry scopes (issue 15: "a key for an upload script can publish and nothing else"):
made through the catalog's API, checked, shown, and carried by API_KEY_CREATED to the other
services' projections, which answer with them."""

from __future__ import annotations

import pytest

from shared.db.schema import new_id, utcnow
from shared.directory import hash_api_key
from shared.events import catalog as catalog_events
from shared.events import new_event
from tests.integration.catalog.conftest import assert_problem


def _keys_url(organisation) -> str:
    return f"/v1/organisations/{organisation.id}/api-keys"


def test_a_key_is_made_with_scopes_shown_when_listed_and_owner_by_default(platform):
    vendor = platform.organisation("vendor")
    owner = platform.api_key(vendor)
    client = platform.client("catalog")
    made = client.post(
        _keys_url(vendor), json={"name": "upload script", "scopes": ["publisher"]}, headers=owner
    )
    assert made.status_code == 201, made.json
    assert made.json["scopes"] == ["publisher"]
    default = client.post(_keys_url(vendor), json={"name": "all rights"}, headers=owner)
    assert default.json["scopes"] == ["owner"]
    listed = client.get(_keys_url(vendor), headers=owner).json["items"]
    assert {k["name"]: k["scopes"] for k in listed}["upload script"] == ["publisher"]
    assert {k["name"]: k["scopes"] for k in listed}["all rights"] == ["owner"]


@pytest.mark.parametrize(
    "scopes",
    [[], ["superuser"], ["operator"], ["export_reviewer", "viewer"], "owner", [None]],
)
def test_a_scope_the_organisation_may_not_give_is_422_naming_the_field_and_changes_nothing(
    platform, scopes
):
    vendor = platform.organisation("vendor")
    owner = platform.api_key(vendor)
    before = platform.row_counts("catalog")
    response = platform.client("catalog").post(
        _keys_url(vendor), json={"name": "script", "scopes": scopes}, headers=owner
    )
    fields = [error["field"] for error in assert_problem(response, 422).get("errors", [])]
    assert fields and all(f == "scopes" or f.startswith("scopes.") for f in fields), fields
    assert platform.row_counts("catalog") == before


def test_the_platforms_own_keys_may_carry_platform_roles(platform):
    admin = platform.organisation("admin")
    response = platform.client("catalog").post(
        _keys_url(admin),
        json={"name": "export review desk", "scopes": ["export_reviewer"]},
        headers=platform.api_key(admin),
    )
    assert response.status_code == 201, response.json
    assert response.json["scopes"] == ["export_reviewer"]


def test_a_publishing_key_publishes_and_nothing_else_on_every_service(platform):
    vendor = platform.organisation("vendor")
    publisher = platform.api_key(vendor, ["publisher"])
    catalog, licensing = platform.client("catalog"), platform.client("licensing")
    # allowed: the catalog takes the draft's body (and finds it wanting), never refuses the key
    assert catalog.post("/v1/cores", json={}, headers=publisher).status_code == 422
    refused = [
        catalog.post(_keys_url(vendor), json={"name": "more"}, headers=publisher),
        licensing.post(f"/v1/license-requests/{new_id()}/approve", json={}, headers=publisher),
        licensing.post(f"/v1/licenses/{new_id()}/revoke", json={}, headers=publisher),
        platform.client("notify").post("/v1/endpoints", json={}, headers=publisher),
    ]
    for response in refused:
        body = assert_problem(response, 403)
        assert "needs one of the roles" in body["detail"]


def test_the_projections_keep_the_scopes_the_event_carries(platform):
    vendor = platform.organisation("vendor")
    headers = platform.api_key(vendor, ["finance", "viewer"])
    key_hash = hash_api_key(headers["Authorization"].removeprefix("Bearer "))
    for service in ("licensing", "notify"):
        found = _principal(platform, service, key_hash)
        assert found.scopes == frozenset({"finance", "viewer"}), service
        assert found.platform_roles == frozenset()


def test_a_key_event_from_before_scopes_still_loads_as_its_organisations_owner(platform):
    vendor = platform.organisation("vendor")
    key_hash = hash_api_key(f"ipm_{new_id()}")
    data = {
        "key_id": new_id(),
        "organisation_id": vendor.id,
        "name": "made before scopes",
        "key_hash": key_hash,
        "created_at": utcnow().isoformat(),
    }
    event = new_event(catalog_events.API_KEY_CREATED, "/ipmarket/catalog", vendor.id, data)
    for service in ("licensing", "notify"):
        context = platform.apps[service].extensions["ipmarket"]
        handler = platform._handlers[service][event.type]
        with context.session_factory() as session, session.begin():
            handler(event, session)
        assert _principal(platform, service, key_hash).scopes == frozenset({"owner"})


def _principal(platform, service: str, key_hash: str):
    return platform.apps[service].extensions["ipmarket"].principal(key_hash)
