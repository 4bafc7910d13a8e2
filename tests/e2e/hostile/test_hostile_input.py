"""Issue 13: hostile input answered 500 (RecursionError, psycopg.DataError, UnicodeEncodeError,
integers past 64 bits). Each must be a problem+json 400/422 naming the field at fault."""

from __future__ import annotations

import base64
import json

import pytest

DEEP = "[" * 1000 + "]" * 1000  # 2 KB that overflowed the stack of json.loads' consumers
NESTED_40 = '{"a":' * 40 + "1" + "}" * 40  # shallow enough to parse: the path is named
HUGE = "9" * 30  # past 64 bits

# (service, method, path, raw JSON body or None, field named; None: only a 400/422)
CASES = [
    ("licensing", "post", "/v1/licenses/verify", DEEP, None),
    ("licensing", "post", "/v1/licenses/verify", '{"license": ' + DEEP + "}", "body"),
    ("catalog", "post", "/v1/organisations", NESTED_40, ".".join("a" * 32)),
    ("notify", "post", "/v1/endpoints", DEEP, None),
    (
        "catalog",
        "post",
        "/v1/organisations",
        '{"legal_name_en": "Nul\\u0000 Ltd", "country": "HK", "roles": ["vendor"]}',
        "legal_name_en",
    ),
    (
        "catalog",
        "post",
        "/v1/organisations",
        '{"legal_name_en": "Lone \\ud800", "country": "HK", "roles": ["vendor"]}',
        "legal_name_en",
    ),
    (
        "catalog",
        "post",
        "/v1/organisations",
        '{"legal_name_en": "A", "country": "HK", "roles": ["vendor"], "contacts": [{"name": '
        '"N\\u0000", "email": "a@example.com", "notices": ["all"]}]}',
        "contacts.0.name",
    ),
    ("licensing", "post", "/v1/licenses/verify", '{"license": "a\\u0000b"}', "license"),
    ("notify", "post", "/v1/watches", '{"kind": "core", "target_id": "\\udfff"}', "target_id"),
    ("notify", "post", "/v1/watches", '{"kind": "core", "target_id": "\\u0000"}', "target_id"),
    (
        "licensing",
        "put",
        "/v1/screening/rules",
        '{"based_on": ' + HUGE + ', "rules": [], "embargoed": [], "comment": "c"}',
        "based_on",
    ),
    ("licensing", "get", "/v1/licenses?offset=" + HUGE, None, "offset"),
    ("licensing", "get", "/v1/license-requests?offset=" + HUGE, None, "offset"),
    ("licensing", "get", "/v1/audit?after=" + HUGE, None, "after"),
    (
        "notify",
        "get",
        "/v1/admin/dead-letters?cursor="
        + base64.urlsafe_b64encode(
            json.dumps(["2026-01-01T00:00:00", int(HUGE)]).encode()
        ).decode(),
        None,
        "cursor",
    ),
    ("licensing", "get", "/v1/screening/rules/" + HUGE, None, "version"),
    ("licensing", "get", "/v1/audit?subject_id=a%00", None, "subject_id"),
    ("catalog", "get", "/v1/cores?q=ddr%00", None, "q"),
    # Ids that are UUIDs match no route with a NUL in them: the problem names the path.
    ("licensing", "get", "/v1/licenses/%00abc", None, "path"),
    ("licensing", "get", "/v1/license-requests/abc%00", None, "path"),
    ("catalog", "get", "/v1/cores/%00", None, "path"),
    ("catalog", "get", "/v1/organisations/x%00y", None, "organisation_id"),
    ("notify", "get", "/v1/endpoints/%00/attempts", None, "endpoint_id"),
]


@pytest.mark.parametrize(
    "service, method, path, body, field",
    CASES,
    ids=[f"{c[0]} {c[1]} {c[2][:40]} {c[4]}" for c in CASES],
)
def test_hostile_input_is_a_problem_naming_the_field(services, service, method, path, body, field):
    target = services[service]
    kwargs = {"headers": target.headers}
    if body is not None:
        kwargs.update(data=body.encode("utf-8", "surrogatepass"), content_type="application/json")
    response = getattr(target.client, method)(path, **kwargs)
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:500]
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == response.status_code
    if field is not None:
        assert field in {e["field"] for e in problem.get("errors", [])}, problem


def test_deep_json_is_refused_without_a_key(services):
    """POST /licenses/verify needs no key: a deep body from anyone is a 400, not a 500."""
    response = services["licensing"].client.post(
        "/v1/licenses/verify",
        data=json.dumps({"license": "x"})[:-1] + ', "core": ' + DEEP + "}",
        content_type="application/json",
    )
    assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == "body"


def test_a_provider_callback_nested_deep_is_a_400(services, monkeypatch):
    from tests.integration.licensing.conftest import PROVIDER_SECRET, callback_headers

    monkeypatch.setenv("IPMARKET_PAYMENT_PROVIDER_SECRET", PROVIDER_SECRET)
    body = DEEP.encode()
    response = services["licensing"].client.post(
        "/v1/payments/callback", data=body, headers=callback_headers(body)
    )
    assert response.status_code == 400, response.get_data(as_text=True)[:300]


# --- what one service accepted and another could not hold -------------------------------------


def _organisation(**overrides) -> str:
    contact = {"name": "Ops", "email": "ops@example.com", "notices": ["all"]}
    body = {
        "legal_name_en": "Poison Ltd",
        "country": "HK",
        "roles": ["vendor"],
        "contacts": [{**contact, **overrides}],
    }
    return json.dumps(body)


def _core(document: dict | None = None, offer: dict | None = None) -> str:
    body = {
        "vlnv": {"vendor": "poison.hk", "library": "ip", "name": "x", "version": "1.0.0"},
        "title_en": "X",
    }
    if document:
        body["documents"] = [{"kind": "datasheet", "title": "D", "sha256": "a" * 64, **document}]
    if offer:
        body["offers"] = [{"kind": "single_project", "requires_approval": False, **offer}]
    return json.dumps(body)


OVERSIZED = [
    (
        "/v1/organisations",
        _organisation(email="a" * 64 + "@" + "b" * 100_000 + ".com"),
        "contacts.0.email",
    ),
    ("/v1/organisations", _organisation(notices=["all"] * 20_000), "contacts.0.notices"),
    (
        "/v1/cores",
        _core(document={"url": "https://example.com/" + "d" * 100_000}),
        "documents.0.url",
    ),
    (
        "/v1/cores",
        _core(offer={"price": {"amount": "1e20", "currency": "USD"}}),
        "offers.0.price.amount",
    ),
    (
        "/v1/cores",
        _core(offer={"price": {"amount": "10000000000000.00", "currency": "USD"}}),
        "offers.0.price.amount",
    ),
]


@pytest.mark.parametrize("path, body, field", OVERSIZED, ids=[c[2] for c in OVERSIZED])
def test_the_catalog_refuses_what_a_consumer_could_not_hold(services, path, body, field):
    catalog = services["catalog"]
    response = catalog.client.post(
        path, data=body, content_type="application/json", headers=catalog.headers
    )
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert field in {e["field"] for e in response.get_json()["errors"]}


def test_hostile_headers_are_refused_naming_the_header(services):
    licensing, catalog = services["licensing"], services["catalog"]
    response = licensing.client.post(
        "/v1/license-requests", json={}, headers={**licensing.headers, "Idempotency-Key": "k\x00"}
    )
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "Idempotency-Key"
    organisation = catalog.client.get("/v1/organisations", headers=catalog.headers).get_json()
    organisation_id = (
        organisation["items"][0]["id"] if "items" in organisation else organisation[0]["id"]
    )
    response = catalog.client.patch(
        f"/v1/organisations/{organisation_id}",
        json={"legal_name_en": "Renamed"},
        headers={**catalog.headers, "If-Match": f'"{"9" * 5000}"'},
    )
    assert response.status_code == 412 and response.get_json()["errors"][0]["field"] == "If-Match"
