"""Organisations and API keys over HTTP, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from tests.integration.catalog.conftest import assert_problem

pytestmark = pytest.mark.databases("sqlite", "postgresql")

NEW_ORG = {
    "legal_name_en": "Hsinchu Foundation Cells Corp.",
    "legal_name_zh": "新竹基礎元件股份有限公司",
    "country": "TW",
    "roles": ["vendor"],
    "locale": "zh-Hant",
    "timezone": "Asia/Taipei",
    "contacts": [
        {
            "name": "林怡君",
            "email": "yj@hfcells.example",
            "notices": ["license", "ipmarket.core.deprecated.v1"],
        }
    ],
}


def test_admin_registers_an_organisation_and_its_event_is_in_the_outbox(catalog):
    response = catalog.client.post("/v1/organisations", json=NEW_ORG, headers=catalog.admin.auth)
    assert response.status_code == 201, response.json
    org = response.json
    assert org["region"] == "taiwan"
    assert org["legal_name_zh"] == "新竹基礎元件股份有限公司"
    assert response.headers["ETag"] == '"1"'
    assert (
        catalog.events("ipmarket.organisation.registered.v1").count(
            "ipmarket.organisation.registered.v1"
        )
        == 5
    )  # four from the fixture, this one


@pytest.mark.parametrize(
    "change, field",
    [
        ({"country": "XX"}, "country"),  # not ISO 3166
        ({"country": "CHN"}, "country"),  # alpha-3, not alpha-2
        ({"timezone": "Asia/Beijing"}, "timezone"),  # not an IANA zone
        ({"locale": "zh-CN"}, "locale"),
        ({"roles": ["buyer"]}, "roles.0"),
        ({"roles": "vendor"}, "roles"),  # wrong type
        ({"legal_name_en": 42}, "legal_name_en"),  # wrong type
        ({"contacts": [{"name": "x", "email": "not-an-email", "notices": []}]}, "contacts.0.email"),
        (
            {"contacts": [{"name": "x", "email": "a@b.example", "notices": ["spam"]}]},
            "contacts.0.notices.0",
        ),
        ({"website": "https://example.com"}, "website"),  # unknown field
    ],
)
def test_bad_registration_is_a_problem_naming_the_field_and_changes_nothing(catalog, change, field):
    before = catalog.snapshot()
    response = catalog.client.post(
        "/v1/organisations", json={**NEW_ORG, **change}, headers=catalog.admin.auth
    )
    assert_problem(response, 422, field)
    assert catalog.snapshot() == before


def test_missing_field_and_non_admin_are_refused(catalog):
    body = {k: v for k, v in NEW_ORG.items() if k != "legal_name_en"}
    assert_problem(
        catalog.client.post("/v1/organisations", json=body, headers=catalog.admin.auth),
        422,
        "legal_name_en",
    )
    assert_problem(
        catalog.client.post("/v1/organisations", json=NEW_ORG, headers=catalog.vendor.auth), 403
    )
    assert_problem(catalog.client.post("/v1/organisations", json=NEW_ORG), 401)
    assert_problem(
        catalog.client.get("/v1/organisations", headers={"Authorization": "Bearer nope"}), 401
    )


def test_organisation_reads_and_updates_its_own_profile_with_if_match(catalog):
    me = catalog.vendor
    read = catalog.client.get(f"/v1/organisations/{me.id}", headers=me.auth)
    assert read.status_code == 200 and read.headers["ETag"] == '"1"'
    change = {
        "legal_name_zh": "上海芯元微電子",
        "timezone": "Asia/Urumqi",
        "contacts": [{"name": "李明", "email": "liming@xinyuan.example", "notices": ["order"]}],
    }
    updated = catalog.client.patch(
        f"/v1/organisations/{me.id}",
        json=change,
        headers={**me.auth, "If-Match": read.headers["ETag"]},
    )
    assert updated.status_code == 200, updated.json
    assert updated.json["legal_name_zh"] == "上海芯元微電子"
    assert updated.headers["ETag"] == '"2"'
    assert catalog.events()[-1] == "ipmarket.organisation.updated.v1"

    before = catalog.snapshot()
    stale = catalog.client.patch(
        f"/v1/organisations/{me.id}", json={"locale": "en"}, headers={**me.auth, "If-Match": '"1"'}
    )
    assert_problem(stale, 412, "If-Match")
    assert_problem(
        catalog.client.patch(f"/v1/organisations/{me.id}", json={"locale": "en"}, headers=me.auth),
        428,
        "If-Match",
    )
    assert_problem(
        catalog.client.patch(
            f"/v1/organisations/{me.id}",
            json={"roles": ["admin"]},
            headers={**me.auth, "If-Match": '"2"'},
        ),
        403,
        "roles",
    )
    assert catalog.snapshot() == before


def test_country_change_moves_the_region(catalog):
    me = catalog.other_vendor
    response = catalog.client.patch(
        f"/v1/organisations/{me.id}", json={"country": "mo"}, headers={**me.auth, "If-Match": '"1"'}
    )
    assert response.status_code == 200, response.json
    assert (response.json["country"], response.json["region"]) == ("MO", "macau")


def test_another_organisations_profile_is_not_found(catalog):
    assert_problem(
        catalog.client.get(
            f"/v1/organisations/{catalog.vendor.id}", headers=catalog.other_vendor.auth
        ),
        404,
    )
    assert (
        catalog.client.get(
            f"/v1/organisations/{catalog.vendor.id}", headers=catalog.admin.auth
        ).status_code
        == 200
    )
    listed = catalog.client.get("/v1/organisations", headers=catalog.admin.auth)
    assert len(listed.json["items"]) == 4 and listed.json["next"] is None


def test_api_key_is_shown_once_listed_without_secret_and_revoked(catalog):
    me = catalog.licensee
    created = catalog.client.post(
        f"/v1/organisations/{me.id}/api-keys", json={"name": "CI 密钥"}, headers=me.auth
    )
    assert created.status_code == 201, created.json
    key = created.json["api_key"]
    assert key.startswith("ipm_")
    assert catalog.events()[-1] == "ipmarket.api_key.created.v1"

    # The new key works, and its use is recorded.
    assert (
        catalog.client.get(
            f"/v1/organisations/{me.id}", headers={"Authorization": f"Bearer {key}"}
        ).status_code
        == 200
    )
    listed = catalog.client.get(f"/v1/organisations/{me.id}/api-keys", headers=me.auth).json[
        "items"
    ]
    assert {k["name"] for k in listed} == {"test", "CI 密钥"}
    assert all("api_key" not in k and "key_hash" not in k for k in listed)
    new = next(k for k in listed if k["name"] == "CI 密钥")
    assert new["last_used_at"] is not None and new["revoked_at"] is None

    revoked = catalog.client.delete(
        f"/v1/organisations/{me.id}/api-keys/{new['id']}", headers=me.auth
    )
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    assert catalog.events()[-1] == "ipmarket.api_key.revoked.v1"
    assert_problem(
        catalog.client.get(
            f"/v1/organisations/{me.id}", headers={"Authorization": f"Bearer {key}"}
        ),
        401,
    )


def test_bad_key_requests_change_nothing(catalog):
    me = catalog.licensee
    before = catalog.snapshot()
    for body, field in [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": 7}, "name"),
        ({"name": "x", "scope": "all"}, "scope"),
    ]:
        assert_problem(
            catalog.client.post(f"/v1/organisations/{me.id}/api-keys", json=body, headers=me.auth),
            422,
            field,
        )
    assert_problem(
        catalog.client.post(
            f"/v1/organisations/{catalog.vendor.id}/api-keys",
            json={"name": "steal"},
            headers=me.auth,
        ),
        404,
    )
    assert_problem(
        catalog.client.delete(f"/v1/organisations/{me.id}/api-keys/nope", headers=me.auth), 404
    )
    assert catalog.snapshot() == before


def test_oversize_body_is_413_problem(catalog):
    big = {**NEW_ORG, "legal_name_en": "x" * 2_000_000}
    before = catalog.snapshot()
    assert_problem(
        catalog.client.post("/v1/organisations", json=big, headers=catalog.admin.auth), 413
    )
    assert catalog.snapshot() == before
