"""Bad input on every endpoint: a problem+json error naming the field at fault, and nothing in
the database changes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.integration.licensing.conftest import request_body

pytestmark = pytest.mark.databases("sqlite", "postgresql")

LONG = "x" * 201


def cases(core_id, request_id, license_id):
    ok_request = {
        "core_id": core_id,
        "offer_id": "std",
        "project_name": "p",
        "intended_use": "u",
        "end_use_country": "SG",
    }
    rule = {
        "rule_id": "r",
        "eccn": "EAR99",
        "destinations": ["*"],
        "outcome": "allow",
        "reason_code": "OK",
    }
    rules = {"based_on": 2, "rules": [rule], "embargoed": [], "comment": "c"}
    req, lic = f"/v1/license-requests/{request_id}", f"/v1/licenses/{license_id}"
    # (who, method, path, json body, extra headers, status, field at fault)
    return [
        (
            "licensee",
            "post",
            "/v1/license-requests",
            {**ok_request, "core_id": None},
            {},
            422,
            "core_id",
        ),
        (
            "licensee",
            "post",
            "/v1/license-requests",
            {k: v for k, v in ok_request.items() if k != "project_name"},
            {},
            422,
            "project_name",
        ),
        ("licensee", "post", "/v1/license-requests", {**ok_request, "price": 0}, {}, 422, "price"),
        (
            "licensee",
            "post",
            "/v1/license-requests",
            {**ok_request, "end_use_country": "China"},
            {},
            422,
            "end_use_country",
        ),
        (
            "licensee",
            "post",
            "/v1/license-requests",
            {**ok_request, "version_range": "banana"},
            {},
            422,
            "version_range",
        ),
        (
            "licensee",
            "post",
            "/v1/license-requests",
            {**ok_request, "version_range": ">=2.0"},
            {},
            422,
            "version_range",
        ),
        (
            "licensee",
            "post",
            "/v1/license-requests",
            {**ok_request, "offer_id": "none"},
            {},
            422,
            "offer_id",
        ),
        (
            "licensee",
            "post",
            "/v1/license-requests",
            {**ok_request, "core_id": "unknown"},
            {},
            422,
            "core_id",
        ),
        (
            "licensee",
            "post",
            "/v1/license-requests",
            {**ok_request, "intended_use": ""},
            {},
            422,
            "intended_use",
        ),
        (
            "licensee",
            "post",
            "/v1/license-requests",
            ok_request,
            {"Idempotency-Key": "k" * 201},
            422,
            "Idempotency-Key",
        ),
        ("licensee", "post", "/v1/license-requests", [ok_request], {}, 422, None),
        ("licensee", "post", "/v1/license-requests", "{not json", {}, 400, None),
        (
            "licensee",
            "post",
            "/v1/license-requests",
            ok_request,
            {"Authorization": "Basic abc"},
            401,
            None,
        ),
        (
            "licensee",
            "post",
            "/v1/license-requests",
            ok_request,
            {"Authorization": "Bearer ipm_unknown"},
            401,
            None,
        ),
        ("licensee", "get", "/v1/license-requests?state=bogus", None, {}, 422, "state"),
        ("licensee", "get", "/v1/license-requests?limit=0", None, {}, 422, "limit"),
        ("licensee", "get", "/v1/license-requests/unknown", None, {}, 404, None),
        ("vendor", "post", f"{req}/approve", {"comment": ""}, {}, 422, "comment"),
        ("vendor", "post", f"{req}/approve", {"verdict": "yes"}, {}, 422, "verdict"),
        ("vendor", "post", "/v1/license-requests/unknown/approve", {}, {}, 404, None),
        ("vendor", "post", f"{req}/reject", {}, {}, 422, "comment"),
        ("vendor", "post", f"{req}/reject", {"comment": 7}, {}, 422, "comment"),
        (
            "admin",
            "post",
            f"{req}/review",
            {"outcome": "maybe", "comment": "c"},
            {},
            422,
            "outcome",
        ),
        ("admin", "post", f"{req}/review", {"outcome": "allow"}, {}, 422, "comment"),
        ("vendor", "get", "/v1/licenses?state=bogus", None, {}, 422, "state"),
        ("vendor", "get", "/v1/licenses?offset=-1", None, {}, 422, "offset"),
        ("vendor", "get", "/v1/licenses/unknown", None, {}, 404, None),
        ("vendor", "get", "/v1/licenses/unknown/file", None, {}, 404, None),
        ("vendor", "post", f"{lic}/suspend", {}, {}, 422, "reason"),
        ("vendor", "post", f"{lic}/reinstate", {"reason": ""}, {}, 422, "reason"),
        ("vendor", "post", f"{lic}/reinstate", {}, {}, 409, None),  # it is not suspended
        ("vendor", "post", f"{lic}/revoke", {"reason": 5}, {}, 422, "reason"),
        ("vendor", "post", "/v1/licenses/unknown/revoke", {"reason": "r"}, {}, 404, None),
        ("vendor", "post", f"{lic}/renew", {}, {}, 422, "months"),
        ("vendor", "post", f"{lic}/renew", {"months": 0}, {}, 422, "months"),
        (
            "vendor",
            "post",
            f"{lic}/renew",
            {"months": 1, "expires_at": "2040-01-01T00:00:00Z"},
            {},
            422,
            "months",
        ),
        (
            "vendor",
            "post",
            f"{lic}/renew",
            {"expires_at": "2040-01-01T00:00:00"},
            {},
            422,
            "expires_at",
        ),
        (
            "vendor",
            "post",
            f"{lic}/renew",
            {"expires_at": "2001-01-01T00:00:00Z"},
            {},
            422,
            "expires_at",
        ),
        (None, "post", "/v1/licenses/verify", {}, {}, 422, "license"),
        (None, "post", "/v1/licenses/verify", {"license": 12}, {}, 422, "license"),
        (
            None,
            "post",
            "/v1/licenses/verify",
            {"license": "x", "core": "usb3_phy"},
            {},
            422,
            "core",
        ),
        ("admin", "put", "/v1/screening/rules", {**rules, "based_on": None}, {}, 422, "based_on"),
        ("admin", "put", "/v1/screening/rules", {**rules, "based_on": 1}, {}, 409, "based_on"),
        (
            "admin",
            "put",
            "/v1/screening/rules",
            {**rules, "rules": [{**rule, "outcome": "maybe"}]},
            {},
            422,
            "rules.0.outcome",
        ),
        (
            "admin",
            "put",
            "/v1/screening/rules",
            {**rules, "rules": [{**rule, "eccn": "XYZ"}]},
            {},
            422,
            "rules.0.eccn",
        ),
        ("admin", "put", "/v1/screening/rules", {**rules, "rules": [rule, rule]}, {}, 422, "rules"),
        (
            "admin",
            "put",
            "/v1/screening/rules",
            {**rules, "embargoed": ["CUB"]},
            {},
            422,
            "embargoed.0",
        ),
        ("admin", "put", "/v1/screening/rules", {**rules, "comment": LONG * 3}, {}, 422, "comment"),
        ("admin", "get", "/v1/screening/rules/999", None, {}, 404, None),
        ("licensee", "get", "/v1/audit?after=-1", None, {}, 422, "after"),
        ("licensee", "get", "/v1/audit?limit=abc", None, {}, 422, "limit"),
    ]


@pytest.fixture
def world(client, market):
    """A pending request, an issued license and a second rule-set version to edit."""
    vendor, licensee, admin = (market.parties[n] for n in ("vendor", "licensee", "admin"))
    core = market.core(vendor)
    pending = client.post(
        "/v1/license-requests", json=request_body(core), headers=licensee.headers
    ).json
    issued = client.post(
        "/v1/license-requests", json=request_body(core, offer_id="eval"), headers=licensee.headers
    ).json
    current = client.get("/v1/screening/rules", headers=admin.headers).json
    assert (
        client.put(
            "/v1/screening/rules",
            headers=admin.headers,
            json={
                "based_on": 1,
                "rules": current["rules"],
                "embargoed": current["embargoed"],
                "comment": "second",
            },
        ).status_code
        == 201
    )
    return core["core_id"], pending["id"], issued["license_id"]


def snapshot(market) -> dict:
    with market.context.engine.connect() as conn:
        return {
            **market.counts(),
            "requests": conn.execute(
                sa.text("SELECT id, state, updated_at FROM license_request ORDER BY id")
            ).all(),
            "licenses": conn.execute(
                sa.text("SELECT id, state, token, expires_at FROM license ORDER BY id")
            ).all(),
        }


def test_bad_input_on_every_endpoint_is_a_problem_and_changes_nothing(client, market, world):
    before = snapshot(market)
    for who, method, path, body, headers, status, field in cases(*world):
        headers = {**(market.parties[who].headers if who else {}), **headers}
        if isinstance(body, str):
            response = client.open(
                path,
                method=method.upper(),
                data=body,
                headers=headers,
                content_type="application/json",
            )
        else:
            response = client.open(path, method=method.upper(), json=body, headers=headers)
        what = f"{method.upper()} {path} {body!r}"
        assert response.status_code == status, f"{what}: {response.status_code} {response.json}"
        assert response.content_type == "application/problem+json", what
        problem = response.json
        assert problem["status"] == status and problem["title"], what
        if field is not None:
            assert field in [e["field"] for e in problem["errors"]], f"{what}: {problem}"
    assert snapshot(market) == before
