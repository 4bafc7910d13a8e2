"""What the catalog answers where a client gets the HTTP contract wrong: a body that is not JSON,
a value outside a vocabulary, a change without If-Match to someone else's resource, a VLNV taken
by someone else's draft, a method the path does not have; and what its document says of it."""

from __future__ import annotations

import pytest

from tests.integration.catalog.conftest import assert_problem, core_body, create_core


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", None])
def test_a_body_that_is_not_json_is_415_naming_the_content_type(catalog, content_type):
    before = catalog.snapshot()
    headers = {**catalog.vendor.auth, **({"Content-Type": content_type} if content_type else {})}
    response = catalog.client.post("/v1/cores", data="title_en=DDR5+PHY", headers=headers)
    problem = assert_problem(response, 415, "Content-Type")
    assert "application/json" in problem["detail"]
    assert catalog.snapshot() == before


def test_an_ip_xact_import_that_is_not_xml_is_415(catalog):
    response = catalog.client.post(
        "/v1/cores/import",
        data="{}",
        headers={**catalog.vendor.auth, "Content-Type": "application/json"},
    )
    assert_problem(response, 415, "Content-Type")


def test_an_unknown_value_of_a_search_facet_is_422_naming_the_parameter(catalog):
    create_core(catalog, publish=True)
    problem = assert_problem(catalog.client.get("/v1/cores?region=mars"), 422)
    assert [e["field"].split(".")[0] for e in problem["errors"]] == ["region"]
    assert_problem(
        catalog.client.get("/v1/cores?category=toasters&maturity=concept"), 422, "category.0"
    )
    assert catalog.client.get("/v1/cores?region=mainland_china").json["total"] == 1


def test_ownership_is_checked_before_if_match_is_required(catalog):
    published = create_core(catalog, publish=True)
    draft = create_core(catalog, name="draft_phy")
    change = {"description_en": "Taken over"}
    other = catalog.other_vendor.auth
    assert_problem(
        catalog.client.patch(f"/v1/cores/{published['id']}", json=change, headers=other), 403
    )
    assert_problem(
        catalog.client.patch(f"/v1/cores/{draft['id']}", json=change, headers=other), 404
    )
    assert_problem(
        catalog.client.patch(
            f"/v1/organisations/{catalog.vendor.id}",
            json={"legal_name_en": "Taken over"},
            headers=other,
        ),
        404,
    )
    # The owner without If-Match: 428, and with the ETag it read: done.
    mine = catalog.vendor.auth
    assert_problem(
        catalog.client.patch(f"/v1/cores/{published['id']}", json=change, headers=mine),
        428,
        "If-Match",
    )
    assert (
        catalog.client.patch(
            f"/v1/cores/{published['id']}",
            json=change,
            headers={**mine, "If-Match": f'"{published["version"]}"'},
        ).status_code
        == 200
    )


def test_a_vlnv_conflict_names_the_existing_core_only_to_its_vendor(catalog):
    draft = create_core(catalog)
    same_vlnv = core_body()
    theirs = catalog.client.post("/v1/cores", json=same_vlnv, headers=catalog.other_vendor.auth)
    assert theirs.status_code in (403, 409), theirs.json  # 403 once VLNV names are claimed
    assert draft["id"] not in theirs.get_data(as_text=True)
    mine = assert_problem(
        catalog.client.post("/v1/cores", json=same_vlnv, headers=catalog.vendor.auth), 409, "vlnv"
    )
    assert mine["core_id"] == draft["id"]


def test_a_method_the_path_does_not_have_is_405_with_allow(catalog):
    response = catalog.client.delete("/v1/cores", headers=catalog.vendor.auth)
    assert_problem(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    # /cores/taxonomy is a path of its own, not a core's id.
    response = catalog.client.patch("/v1/cores/taxonomy", json={}, headers=catalog.vendor.auth)
    assert_problem(response, 405)
    assert "PATCH" not in response.headers["Allow"]


def test_the_document_declares_security_errors_and_if_match_as_sent(catalog):
    document = catalog.client.get("/openapi.json").json
    paths = document["paths"]
    for path, method in [
        ("/v1/cores", "get"),
        ("/v1/cores/{core_id}", "get"),
        ("/v1/cores/taxonomy", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
    ]:
        assert paths[path][method]["security"] == [], (path, method)
    assert "security" not in paths["/v1/cores"]["post"]  # the document's default: a key
    responses = document["components"]["responses"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method == "parameters":  # the path's own, shared by its operations
                continue
            statuses = operation["responses"]
            assert any(status.startswith("2") for status in statuses), (path, method)
            assert "401" in statuses and "default" not in statuses, (path, method)
            for status, response in statuses.items():
                if status.startswith(("4", "5")) and (path, status) != ("/readyz", "503"):
                    content = responses[response["$ref"].rsplit("/", 1)[1]]["content"]
                    assert list(content) == ["application/problem+json"], (path, status)
    problem = document["components"]["responses"]["PRECONDITION_REQUIRED"]["content"]
    assert problem == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    patch = paths["/v1/cores/{core_id}"]["patch"]
    assert {"412", "428", "403", "404", "415"} <= set(patch["responses"])
    if_match = [p for p in patch["parameters"] if p["name"] == "If-Match"]
    assert if_match and if_match[0]["in"] == "header" and if_match[0]["required"] is True
    price = document["components"]["schemas"]["Money"]["properties"]["amount"]
    assert price["type"] == "string" and "pattern" in price
