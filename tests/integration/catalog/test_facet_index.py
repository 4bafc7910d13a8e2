"""The in-process facet index, and the summaries search keeps, agree with the database while
cores change under them."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from services.catalog.models import Core
from services.catalog.search.facet_bitset_index import facet_index_for
from tests.integration.catalog.conftest import create_core


def facet_counts_in_database(catalog) -> Counter:
    with catalog.context.session_factory() as session:
        rows = session.scalars(sa.select(Core.facet_values).where(Core.status == "published"))
        return Counter(value for values in rows for value in values)


def facet_counts_of_search(catalog) -> Counter:
    body = catalog.client.get("/v1/cores").json
    counts = Counter(
        {
            f"{name}:{f['value']}": f["count"]
            for name, values in body["facets"].items()
            for f in values
        }
    )
    # The search must have counted with the index, not fallen back to SQL.
    with catalog.context.session_factory() as session:
        indexed = facet_index_for(session.get_bind()).counts_where(session, [["status:published"]])
    assert indexed == counts
    return counts


def test_counts_follow_publication_offer_changes_and_withdrawal(catalog):
    first = create_core(catalog, name="a", publish=True)
    create_core(
        catalog,
        name="b",
        publish=True,
        standards=["PCIe 5.0"],
        targets=[{"foundry": "TSMC", "node": "7nm", "maturity": "concept"}],
    )
    assert facet_counts_of_search(catalog) == facet_counts_in_database(catalog)  # index built

    create_core(catalog, name="c", publish=True, category="security_crypto")
    cheap = [
        {
            "kind": "single_project",
            "price": {"amount": "5000", "currency": "USD"},
            "requires_approval": False,
        }
    ]
    assert (
        catalog.client.patch(
            f"/v1/cores/{first['id']}",
            json={"offers": cheap},
            headers={**catalog.vendor.auth, "If-Match": f'"{first["version"]}"'},
        ).status_code
        == 200
    )
    counts = facet_counts_of_search(catalog)
    assert counts == facet_counts_in_database(catalog)
    assert counts["price:under_10k"] == 1 and counts["category:security_crypto"] == 1

    assert (
        catalog.client.post(
            f"/v1/cores/{first['id']}/withdraw", headers=catalog.vendor.auth
        ).status_code
        == 200
    )
    counts = facet_counts_of_search(catalog)
    assert counts == facet_counts_in_database(catalog)
    assert counts["status:published"] == 2 and "price:under_10k" not in counts


def test_listed_summaries_follow_changes(catalog):
    core = create_core(catalog, name="a", publish=True)

    def listed():
        items = catalog.client.get("/v1/cores", headers=catalog.vendor.auth).json["items"]
        return {item["id"]: item for item in items}[core["id"]]

    assert listed()["price_band"] != "under_10k"  # now kept by this process
    cheap = [
        {
            "kind": "single_project",
            "price": {"amount": "5000", "currency": "USD"},
            "requires_approval": False,
        }
    ]
    assert (
        catalog.client.patch(
            f"/v1/cores/{core['id']}",
            json={"offers": cheap},
            headers={**catalog.vendor.auth, "If-Match": f'"{core["version"]}"'},
        ).status_code
        == 200
    )
    assert listed()["price_band"] == "under_10k"
    assert (
        catalog.client.post(
            f"/v1/cores/{core['id']}/deprecate", headers=catalog.vendor.auth
        ).status_code
        == 200
    )
    assert listed()["status"] == "deprecated"
