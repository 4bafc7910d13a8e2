"""An organisation that both sells and buys sees both sides in one list; `vendor_id` and
`licensee_id` ask for one side (the vendor workspace's inbox, quotes and orders use them)."""

from __future__ import annotations

import pytest

from tests.integration.licensing.conftest import request_body
from tests.integration.licensing.test_quotes import ask

pytestmark = pytest.mark.databases("sqlite", "postgresql")

LISTS = ("/v1/license-requests", "/v1/licenses", "/v1/quotes", "/v1/orders")


def ids(client, path, party, **params) -> set[str]:
    answer = client.get(path, query_string=params, headers=party.headers)
    assert answer.status_code == 200, answer.json
    return {item["id"] for item in answer.json["items"]}


def test_one_side_of_an_organisation_that_sells_and_buys(client, market):
    both = market.organisation("both", ["vendor", "licensee"])
    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    sold = client.post(
        "/v1/license-requests", json=request_body(market.core(both)), headers=licensee.headers
    ).json
    bought = client.post(
        "/v1/license-requests", json=request_body(market.core(vendor)), headers=both.headers
    ).json
    market.parties["licensee"] = both  # ask() asks as the "licensee" party
    quote_bought = ask(client, market, market.core(vendor, on_request=True)).json
    market.parties["licensee"] = licensee
    quote_sold = ask(client, market, market.core(both, on_request=True)).json

    path = "/v1/license-requests"
    assert ids(client, path, both) == {sold["id"], bought["id"]}
    assert ids(client, path, both, vendor_id=both.organisation_id) == {sold["id"]}
    assert ids(client, path, both, licensee_id=both.organisation_id) == {bought["id"]}
    assert ids(client, path, both, vendor_id=vendor.organisation_id) == {bought["id"]}
    # Within what the caller may see: another organisation's id does not widen it.
    assert ids(client, path, licensee, vendor_id=vendor.organisation_id) == set()
    assert ids(client, "/v1/quotes", both, vendor_id=both.organisation_id) == {quote_sold["id"]}
    assert ids(client, "/v1/quotes", both, licensee_id=both.organisation_id) == {quote_bought["id"]}
    assert ids(client, "/v1/licenses", both, vendor_id=both.organisation_id) == set()
    assert ids(client, "/v1/orders", both, licensee_id=both.organisation_id) == set()


@pytest.mark.parametrize("path", LISTS)
def test_a_bad_party_is_refused_naming_it_and_the_document_declares_both(client, market, path):
    too_long = "x" * 37
    refused = client.get(
        path, query_string={"vendor_id": too_long}, headers=market.parties["vendor"].headers
    )
    assert refused.status_code == 422
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert [e["field"] for e in refused.json["errors"]] == ["vendor_id"]
    declared = client.get("/openapi.json").json["paths"][path]["get"]["parameters"]
    assert {"vendor_id", "licensee_id"} <= {p["name"] for p in declared}
