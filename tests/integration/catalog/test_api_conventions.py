"""The API conventions of issue 14: every business route under /v1, the paths before it
answering 308 to their /v1 path (query string kept), every list as {"items", "next"}."""

from __future__ import annotations

import pytest

from tests.integration.catalog.conftest import assert_problem, create_core


@pytest.mark.parametrize(
    ("method", "old", "new"),
    [
        ("get", "/cores?q=ddr&limit=5", "/v1/cores?q=ddr&limit=5"),
        ("get", "/cores/taxonomy", "/v1/cores/taxonomy"),
        ("post", "/organisations", "/v1/organisations"),
        ("delete", "/organisations/x/api-keys/y", "/v1/organisations/x/api-keys/y"),
        ("get", "/vendor-name-claims?status=pending", "/v1/vendor-name-claims?status=pending"),
        ("get", "/organisations/%E6%B5%8B%20x", "/v1/organisations/%E6%B5%8B%20x"),
    ],
)
def test_an_old_path_answers_308_to_its_v1_path(catalog, method, old, new):
    response = getattr(catalog.client, method)(old)
    assert response.status_code == 308
    assert response.headers["Location"] == new


def test_a_308_keeps_method_and_body_so_a_client_that_follows_it_gets_the_answer(catalog):
    created = catalog.client.post(
        "/organisations/" + catalog.licensee.id + "/api-keys",
        json={"name": "followed"},
        headers=catalog.licensee.auth,
        follow_redirects=True,
    )
    assert created.status_code == 201 and created.json["name"] == "followed"


def test_operational_endpoints_stay_at_the_root(catalog):
    assert catalog.client.get("/healthz").status_code == 200
    assert "/v1/cores" in catalog.client.get("/openapi.json").json["paths"]
    assert "/cores" not in catalog.client.get("/openapi.json").json["paths"]


def test_a_list_comes_a_page_at_a_time_with_the_cursor_of_the_next(catalog):
    me = catalog.licensee
    for name in ("b", "c", "d"):
        catalog.client.post(
            f"/v1/organisations/{me.id}/api-keys", json={"name": name}, headers=me.auth
        )
    url = f"/v1/organisations/{me.id}/api-keys"
    names, cursor, pages = [], None, 0
    while True:
        page = catalog.client.get(
            url,
            query_string={"limit": 2, **({"cursor": cursor} if cursor else {})},
            headers=me.auth,
        ).json
        assert set(page) == {"items", "next"} and len(page["items"]) <= 2
        names += [key["name"] for key in page["items"]]
        pages, cursor = pages + 1, page["next"]
        if cursor is None:
            break
    assert names == ["test", "b", "c", "d"] and pages == 2


def test_a_cursor_that_is_none_of_this_lists_is_422_naming_it(catalog):
    assert_problem(
        catalog.client.get(
            "/v1/organisations", query_string={"cursor": "nope"}, headers=catalog.admin.auth
        ),
        422,
        "cursor",
    )


def test_the_versions_of_a_core_are_a_list_too(catalog):
    core = create_core(catalog, publish=True)
    listed = catalog.client.get(f"/v1/cores/{core['id']}/versions").json
    assert [c["id"] for c in listed["items"]] == [core["id"]] and listed["next"] is None


def test_search_names_its_next_page_next(catalog):
    for version in ("1.0.0", "1.1.0"):
        create_core(catalog, publish=True, version=version)
    page = catalog.client.get("/v1/cores", query_string={"limit": 1}).json
    assert page["next"] and "next_cursor" not in page
    following = catalog.client.get(
        "/v1/cores", query_string={"limit": 1, "cursor": page["next"]}
    ).json
    assert following["items"][0]["id"] != page["items"][0]["id"]
