"""IP cores over HTTP: drafts, lifecycle, immutability, offers, ownership, concurrency."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
import sqlalchemy as sa

from services.catalog.models import OutboxMessage
from shared.events.envelope import parse_event
from tests.integration.catalog.conftest import assert_problem, core_body, create_core

pytestmark = pytest.mark.databases("sqlite", "postgresql")


def outbox_events(catalog) -> list:
    with catalog.context.session_factory() as session:
        return [
            parse_event(p.encode())
            for p in session.scalars(
                sa.select(OutboxMessage.payload)
                .where(OutboxMessage.event_type.like("%core%"))
                .order_by(OutboxMessage.seq)
            )
        ]


def test_draft_is_private_until_published_and_publishing_emits_one_full_event(catalog):
    core = create_core(catalog)
    assert core["status"] == "draft" and core["title_zh"] == "高速DDR5物理层接口"
    assert outbox_events(catalog) == []  # drafts are nobody else's business
    assert_problem(
        catalog.client.get(f"/v1/cores/{core['id']}", headers=catalog.licensee.auth), 404
    )

    published = catalog.client.post(f"/v1/cores/{core['id']}/publish", headers=catalog.vendor.auth)
    assert published.status_code == 200, published.json
    [event] = outbox_events(catalog)
    assert event.type == "ipmarket.core.published.v1" and event.subject == core["id"]
    data = event.data
    assert data["vendor_id"] == catalog.vendor.id
    assert data["vlnv"] == core_body()["vlnv"]
    assert data["status"] == "published" and data["eccn"] == "3E001"
    assert data["standards"] == ["DDR5", "AXI4"]
    assert data["deliverables"][0]["sha256"] == "ab" * 32
    assert {o["kind"] for o in data["offers"]} == {"single_project", "evaluation"}
    assert data["offers"][0]["price"] == {"amount": "120000.00", "currency": "CNY"}
    assert data["version"] == published.json["version"]
    assert catalog.client.get(f"/v1/cores/{core['id']}").status_code == 200  # public now


def test_lifecycle_deprecate_withdraw_and_illegal_transitions(catalog):
    core = create_core(catalog, publish=True)
    auth = catalog.vendor.auth
    assert_problem(
        catalog.client.post(f"/v1/cores/{core['id']}/publish", headers=auth), 409, "status"
    )
    assert (
        catalog.client.post(f"/v1/cores/{core['id']}/deprecate", headers=auth).json["status"]
        == "deprecated"
    )
    assert (
        catalog.client.post(f"/v1/cores/{core['id']}/withdraw", headers=auth).json["status"]
        == "withdrawn"
    )
    assert [e.type for e in outbox_events(catalog)] == [
        "ipmarket.core.published.v1",
        "ipmarket.core.deprecated.v1",
        "ipmarket.core.withdrawn.v1",
    ]
    assert_problem(catalog.client.post(f"/v1/cores/{core['id']}/deprecate", headers=auth), 409)
    # Withdrawn: no longer visible to others.
    assert_problem(
        catalog.client.get(f"/v1/cores/{core['id']}", headers=catalog.licensee.auth), 404
    )


def test_publishing_needs_what_licensing_needs(catalog):
    core = create_core(catalog, eccn=None, offers=[])
    before = catalog.snapshot()
    assert_problem(
        catalog.client.post(f"/v1/cores/{core['id']}/publish", headers=catalog.vendor.auth),
        422,
        "eccn",
    )
    assert catalog.snapshot() == before


def test_published_version_is_immutable_but_offers_change_with_an_event(catalog):
    core = create_core(catalog, publish=True)
    auth = {**catalog.vendor.auth, "If-Match": f'"{core["version"]}"'}
    before = catalog.snapshot()
    assert_problem(
        catalog.client.patch(f"/v1/cores/{core['id']}", json={"title_en": "New"}, headers=auth),
        409,
        "title_en",
    )
    assert_problem(
        catalog.client.patch(f"/v1/cores/{core['id']}", json={"standards": ["DDR4"]}, headers=auth),
        409,
        "standards",
    )
    assert catalog.snapshot() == before

    offers = core["offers"] + [
        {
            "kind": "royalty_bearing",
            "royalty_percent": "2.5",
            "price": {"amount": "50000", "currency": "USD"},
            "requires_approval": True,
        }
    ]
    updated = catalog.client.patch(f"/v1/cores/{core['id']}", json={"offers": offers}, headers=auth)
    assert updated.status_code == 200, updated.json
    assert updated.headers["ETag"] == f'"{core["version"] + 1}"'
    kept = {o["offer_id"] for o in core["offers"]}
    assert kept < {o["offer_id"] for o in updated.json["offers"]}  # existing offers keep ids
    last = outbox_events(catalog)[-1]
    assert last.type == "ipmarket.core.updated.v1"
    assert len(last.data["offers"]) == 3 and last.data["version"] == updated.json["version"]

    # The same If-Match again is stale now.
    assert_problem(
        catalog.client.patch(f"/v1/cores/{core['id']}", json={"offers": offers[:1]}, headers=auth),
        412,
        "If-Match",
    )


def test_duplicate_vlnv_is_409_and_changes_nothing(catalog):
    create_core(catalog)
    before = catalog.snapshot()
    response = catalog.client.post("/v1/cores", json=core_body(), headers=catalog.vendor.auth)
    assert_problem(response, 409, "vlnv")
    # Another vendor cannot take the VLNV either: the vendor name is not its own.
    assert_problem(
        catalog.client.post("/v1/cores", json=core_body(), headers=catalog.other_vendor.auth),
        403,
        "vlnv.vendor",
    )
    assert catalog.snapshot() == before


def test_another_vendors_core_is_403_when_visible_404_when_not(catalog):
    draft = create_core(catalog, name="draft_core")
    published = create_core(catalog, name="public_core", publish=True)
    other = catalog.other_vendor.auth
    before = catalog.snapshot()
    assert_problem(
        catalog.client.patch(
            f"/v1/cores/{draft['id']}",
            json={"title_en": "Mine"},
            headers={**other, "If-Match": '"1"'},
        ),
        404,
    )
    assert_problem(catalog.client.post(f"/v1/cores/{draft['id']}/publish", headers=other), 404)
    assert_problem(
        catalog.client.patch(
            f"/v1/cores/{published['id']}",
            json={"description_en": "Mine"},
            headers={**other, "If-Match": '"2"'},
        ),
        403,
    )
    assert_problem(catalog.client.post(f"/v1/cores/{published['id']}/withdraw", headers=other), 403)
    assert catalog.snapshot() == before
    # The operator may act on any core.
    assert (
        catalog.client.post(
            f"/v1/cores/{published['id']}/deprecate", headers=catalog.admin.auth
        ).status_code
        == 200
    )


def test_licensee_cannot_create_cores(catalog):
    assert_problem(
        catalog.client.post("/v1/cores", json=core_body(), headers=catalog.licensee.auth), 403
    )
    assert_problem(catalog.client.post("/v1/cores", json=core_body()), 401)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"vlnv": {"vendor": "x", "library": "ip", "name": "n", "version": "1 0"}}, "vlnv.version"),
        (
            {"vlnv": {"vendor": "x y", "library": "ip", "name": "n", "version": "1.0.0"}},
            "vlnv.vendor",
        ),
        ({"vlnv": {"vendor": "x", "library": "ip", "name": "n"}}, "vlnv.version"),  # missing
        ({"title_en": None}, "title_en"),
        ({"title_en": ["DDR5"]}, "title_en"),  # wrong type
        ({"category": "toasters"}, "category"),
        ({"eccn": "3X999"}, "eccn"),
        ({"deliverable_kinds": ["binary"]}, "deliverable_kinds.0"),
        (
            {"targets": [{"foundry": "SMIC", "node": "14nm", "maturity": "rumoured"}]},
            "targets.0.maturity",
        ),
        ({"territory_restrictions": ["ZZ"]}, "territory_restrictions.0"),
        (
            {"deliverables": [{"kind": "soft_rtl", "name": "x", "sha256": "123"}]},
            "deliverables.0.sha256",
        ),
        ({"offers": [{"kind": "single_project", "requires_approval": True}]}, "offers.0.price"),
        (
            {
                "offers": [
                    {
                        "kind": "single_project",
                        "price": {"amount": "-1", "currency": "USD"},
                        "requires_approval": True,
                    }
                ]
            },
            "offers.0.price.amount",
        ),
        (
            {
                "offers": [
                    {
                        "kind": "single_project",
                        "price": {"amount": "10", "currency": "EUR"},
                        "requires_approval": True,
                    }
                ]
            },
            "offers.0.price.currency",
        ),
        (
            {
                "offers": [
                    {"kind": "royalty_bearing", "on_request": True, "requires_approval": True}
                ]
            },
            "offers.0.royalty_percent",
        ),
        (
            {"offers": [{"kind": "evaluation", "requires_approval": "maybe"}]},
            "offers.0.requires_approval",
        ),
        (
            {"offers": [{"kind": "evaluation", "requires_approval": True, "discount": 5}]},
            "offers.0.discount",
        ),  # unknown nested field
        ({"colour": "blue"}, "colour"),  # unknown field
    ],
)
def test_bad_core_is_a_problem_naming_the_field_and_changes_nothing(catalog, change, field):
    before = catalog.snapshot()
    response = catalog.client.post(
        "/v1/cores", json=core_body(**change), headers=catalog.vendor.auth
    )
    assert_problem(response, 422, field)
    assert catalog.snapshot() == before


def test_not_json_and_oversize_bodies(catalog):
    before = catalog.snapshot()
    response = catalog.client.post(
        "/v1/cores",
        data="{not json",
        headers={**catalog.vendor.auth, "Content-Type": "application/json"},
    )
    assert (
        response.status_code in (400, 422) and response.content_type == "application/problem+json"
    )
    huge = core_body(description_en="长" * 400_000)  # ~1.2 MB of UTF-8
    assert_problem(
        catalog.client.post(
            "/v1/cores",
            data=json.dumps(huge, ensure_ascii=False),
            headers={**catalog.vendor.auth, "Content-Type": "application/json"},
        ),
        413,
    )
    assert catalog.snapshot() == before


def test_draft_patch_needs_if_match_and_refreshes_search(catalog):
    core = create_core(catalog)
    url = f"/v1/cores/{core['id']}"
    assert_problem(
        catalog.client.patch(url, json={"title_en": "x"}, headers=catalog.vendor.auth), 428
    )
    assert_problem(
        catalog.client.patch(
            url, json={"title_en": "x"}, headers={**catalog.vendor.auth, "If-Match": "garbage"}
        ),
        412,
    )
    assert_problem(
        catalog.client.patch(url, json={}, headers={**catalog.vendor.auth, "If-Match": '"1"'}), 422
    )
    patched = catalog.client.patch(
        url,
        json={"title_en": "LPDDR5X PHY", "title_zh": "低功耗内存接口"},
        headers={**catalog.vendor.auth, "If-Match": '"1"'},
    )
    assert patched.status_code == 200 and patched.json["title_en"] == "LPDDR5X PHY"
    assert outbox_events(catalog) == []  # still a draft
    found = catalog.client.get("/v1/cores", query_string={"q": "内存"}, headers=catalog.vendor.auth)
    assert [c["id"] for c in found.json["items"]] == [core["id"]]


def test_unknown_core_and_taxonomy(catalog):
    assert_problem(catalog.client.get("/v1/cores/does-not-exist"), 404)
    taxonomy = catalog.client.get("/v1/cores/taxonomy").json
    assert "memory_controllers_phys" in taxonomy["categories"]
    assert "silicon_proven" in taxonomy["maturities"]


def test_openapi_document_lists_the_catalog_api(catalog):
    doc = catalog.client.get("/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    assert {
        "/v1/cores",
        "/v1/cores/{core_id}",
        "/v1/cores/import",
        "/v1/organisations",
        "/v1/organisations/{organisation_id}/api-keys",
    } <= set(doc["paths"])


def test_concurrent_updates_from_one_version_let_exactly_one_win(catalog):
    core = create_core(catalog, publish=True)
    app = catalog.client.application
    barrier = threading.Barrier(6)
    statuses = []

    def update(i):
        client = app.test_client()
        barrier.wait(timeout=10)
        response = client.patch(
            f"/v1/cores/{core['id']}",
            json={"description_en": f"Edited by request {i}"},
            headers={**catalog.vendor.auth, "If-Match": f'"{core["version"]}"'},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=update, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200] + [412] * 5
    assert len(catalog.events("ipmarket.core.updated.v1")) == 1


def test_authentication_comes_before_validation(catalog):
    assert_problem(catalog.client.post("/v1/cores", json={"bogus": 1}), 401)
    assert_problem(catalog.client.patch(f"/v1/cores/{uuid.uuid4()}", json={"bogus": 1}), 401)
    assert_problem(catalog.client.post("/v1/organisations", json={}), 401)
    assert_problem(catalog.client.post(f"/v1/cores/{uuid.uuid4()}/publish"), 401)
