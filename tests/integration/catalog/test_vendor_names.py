"""VLNV vendor names: only the organisation whose claim the operator confirmed publishes cores
under a name; a name is confirmed for one organisation at most."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.catalog.app import build_context, create_app
from services.catalog.models import OutboxMessage
from services.catalog.organisations import create_api_key
from shared.db.engine import create_engine
from shared.db.migrations import upgrade
from shared.db.schema import JSONDocument, new_id, utcnow
from tests.integration.catalog.conftest import assert_problem, core_body

DATA = Path(__file__).parent / "data" / "ipxact"
RGB2DVI = DATA / "digilent-rgb2dvi.1.2__via-xilinx-pynq__spirit1685-2009.xml"


def claims_url(party) -> str:
    return f"/v1/organisations/{party.id}/vendor-name-claims"


def claim(catalog, party, name: str):
    return catalog.client.post(claims_url(party), json={"name": name}, headers=party.auth)


def test_a_vendor_cannot_create_import_or_publish_under_a_name_not_confirmed_for_it(catalog):
    other = catalog.other_vendor
    before = catalog.snapshot()
    # arm.com is nobody's here; xinyuan-micro.cn and digilentinc.com are another vendor's.
    for vendor in ("arm.com", "xinyuan-micro.cn", "XINYUAN-MICRO.CN"):
        body = core_body(
            vlnv={"vendor": vendor, "library": "ip", "name": "ddr5_phy", "version": "9.9"}
        )
        problem = assert_problem(
            catalog.client.post("/v1/cores", json=body, headers=other.auth), 403, "vlnv.vendor"
        )
        assert "claim" in problem["detail"]
    assert_problem(
        catalog.client.post(
            "/v1/cores/import",
            data=RGB2DVI.read_bytes(),
            headers={**other.auth, "Content-Type": "application/xml"},
        ),
        403,
        "vlnv.vendor",
    )
    assert catalog.snapshot() == before


def test_a_claim_lets_the_vendor_publish_once_the_operator_confirms_it(catalog):
    other, admin = catalog.other_vendor, catalog.admin
    response = claim(catalog, other, "Arm.com")
    assert response.status_code == 201, response.json
    pending = response.json
    assert (pending["name"], pending["status"], pending["decided_at"]) == (
        "arm.com",
        "pending",
        None,
    )
    body = core_body(
        vlnv={"vendor": "arm.com", "library": "ip", "name": "cortex_m0", "version": "r0p0"}
    )
    assert_problem(
        catalog.client.post("/v1/cores", json=body, headers=other.auth), 403, "vlnv.vendor"
    )
    # The operator finds the pending claims; the vendor may not decide on its own claim.
    listed = catalog.client.get(
        "/v1/vendor-name-claims", query_string={"status": "pending"}, headers=admin.auth
    )
    assert [c["id"] for c in listed.json["items"]] == [pending["id"]]
    assert_problem(catalog.client.get("/v1/vendor-name-claims", headers=other.auth), 403)
    assert_problem(
        catalog.client.post(
            f"/v1/vendor-name-claims/{pending['id']}/confirm", json={}, headers=other.auth
        ),
        403,
    )
    confirmed = catalog.client.post(
        f"/v1/vendor-name-claims/{pending['id']}/confirm", headers=admin.auth
    )  # the body (a reason) is optional
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["status"] == "confirmed" and confirmed.json["decided_at"]
    created = catalog.client.post("/v1/cores", json=body, headers=other.auth)
    assert created.status_code == 201, created.json
    assert (
        catalog.client.post(
            f"/v1/cores/{created.json['id']}/publish", headers=other.auth
        ).status_code
        == 200
    )
    assert [
        c["status"]
        for c in catalog.client.get(claims_url(other), headers=other.auth).json["items"]
        if c["name"] == "arm.com"
    ] == ["confirmed"]
    with catalog.context.session_factory() as session:
        events = [
            json.loads(payload)
            for payload in session.scalars(
                sa.select(OutboxMessage.payload).where(
                    OutboxMessage.event_type == "ipmarket.vendor_name.confirmed.v1",
                    OutboxMessage.aggregate_id == other.id,
                )
            )
        ]
    assert [e["data"]["claim_id"] for e in events if e["data"]["name"] == "arm.com"] == [
        pending["id"]
    ]
    # Confirming twice is a conflict, not a second event.
    assert_problem(
        catalog.client.post(
            f"/v1/vendor-name-claims/{pending['id']}/confirm", json={}, headers=admin.auth
        ),
        409,
        "status",
    )


def test_a_name_confirmed_for_one_organisation_cannot_be_claimed_by_another(catalog):
    other, admin = catalog.other_vendor, catalog.admin
    before = catalog.snapshot()
    assert_problem(claim(catalog, other, "xinyuan-micro.cn"), 409, "name")
    assert_problem(claim(catalog, other, "Xinyuan-Micro.CN"), 409, "name")
    assert catalog.snapshot() == before
    # Two pending claims of one name: the operator confirms one, the other cannot be confirmed.
    first = claim(catalog, other, "contested.example").json
    second = claim(catalog, catalog.vendor, "contested.example").json
    assert (
        catalog.client.post(
            f"/v1/vendor-name-claims/{first['id']}/confirm", json={}, headers=admin.auth
        ).status_code
        == 200
    )
    assert_problem(
        catalog.client.post(
            f"/v1/vendor-name-claims/{second['id']}/confirm", json={}, headers=admin.auth
        ),
        409,
        "name",
    )
    declined = catalog.client.post(
        f"/v1/vendor-name-claims/{second['id']}/decline",
        json={"reason": "the domain is Victoria Harbour's"},
        headers=admin.auth,
    )
    assert declined.status_code == 200, declined.json
    assert (declined.json["status"], declined.json["reason"]) == (
        "declined",
        "the domain is Victoria Harbour's",
    )
    assert len(catalog.events("ipmarket.vendor_name.declined.v1")) == 1


def test_bad_claims_are_problems_naming_the_field(catalog):
    before = catalog.snapshot()
    assert_problem(claim(catalog, catalog.vendor, "arm com"), 422, "name")
    assert_problem(claim(catalog, catalog.vendor, "xinyuan-micro.cn"), 409, "name")  # again
    assert_problem(
        catalog.client.post(
            claims_url(catalog.licensee), json={"name": "x.com"}, headers=catalog.licensee.auth
        ),
        403,
    )
    assert_problem(
        catalog.client.post(
            claims_url(catalog.vendor), json={"name": "x.com"}, headers=catalog.other_vendor.auth
        ),
        404,
    )
    assert_problem(
        catalog.client.post(
            f"/v1/vendor-name-claims/{new_id()}/confirm", json={}, headers=catalog.admin.auth
        ),
        404,
    )
    assert catalog.snapshot() == before


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_the_migration_turns_names_in_use_into_pending_claims(backend, make_database, tmp_path):
    """A database from before claims: its vendor's draft under "legacy.example" cannot be
    published until the operator confirms the pending claim the migration made."""
    url = (
        make_database("catalog")
        if backend == "postgresql"
        else f"sqlite:///{tmp_path / 'catalog.db'}"
    )
    if backend == "postgresql":  # make_database migrates to head: start again from 0004
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade("catalog", url, revision="0004")
    vendor_id, admin_id, core_id = new_id(), new_id(), new_id()
    now = utcnow()
    organisation = sa.table(
        "organisation",
        *(
            sa.column(c)
            for c in (
                "id",
                "legal_name_en",
                "country",
                "region",
                "locale",
                "timezone",
                "version",
                "created_at",
                "updated_at",
            )
        ),
        sa.column("roles", JSONDocument()),
        sa.column("contacts", JSONDocument()),
    )
    core = sa.table(
        "core",
        *(
            sa.column(c)
            for c in (
                "id",
                "vendor_id",
                "vendor_region",
                "vlnv_vendor",
                "vlnv_library",
                "vlnv_name",
                "vlnv_version",
                "status",
                "title_en",
                "description_en",
                "category",
                "eccn",
                "search_title",
                "search_text",
                "search_cjk",
                "price_band",
                "version",
                "created_at",
                "updated_at",
            )
        ),
        *(sa.column(c, JSONDocument()) for c in (*JSON_COLUMNS, "offers")),
    )
    body = core_body()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            organisation.insert(),
            [
                {
                    "id": org_id,
                    "legal_name_en": role,
                    "country": "HK",
                    "region": "hong_kong",
                    "roles": [role],
                    "locale": "en",
                    "timezone": "UTC",
                    "contacts": [],
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for org_id, role in ((vendor_id, "vendor"), (admin_id, "admin"))
            ],
        )
        conn.execute(
            core.insert().values(
                id=core_id,
                vendor_id=vendor_id,
                vendor_region="hong_kong",
                vlnv_vendor="Legacy.example",
                vlnv_library="ip",
                vlnv_name="old",
                vlnv_version="1.0.0",
                status="draft",
                title_en="Old",
                description_en="",
                category=body["category"],
                eccn=body["eccn"],
                search_title="",
                search_text="",
                search_cjk="",
                price_band="on_request",
                version=1,
                created_at=now,
                updated_at=now,
                **{c: body.get(c, []) for c in JSON_COLUMNS},
                offers=[
                    {
                        "offer_id": "eval",
                        "kind": "evaluation",
                        "price": None,
                        "on_request": False,
                        "term_months": 3,
                        "seats": None,
                        "requires_approval": False,
                        "royalty_percent": None,
                    }
                ],
            )
        )
    engine.dispose()

    upgrade("catalog", url)
    client = create_app(url).test_client()
    context = build_context(url)
    with context.unit_of_work() as uow:
        _, vendor_key = create_api_key(uow, vendor_id, "k")
        _, admin_key = create_api_key(uow, admin_id, "k")
        uow.commit()
    vendor = {"Authorization": f"Bearer {vendor_key}"}
    admin = {"Authorization": f"Bearer {admin_key}"}
    try:
        pending = client.get("/v1/vendor-name-claims", headers=admin).json["items"]
        assert [(c["organisation_id"], c["name"], c["status"]) for c in pending] == [
            (vendor_id, "legacy.example", "pending")
        ]
        assert client.get(f"/v1/cores/{core_id}", headers=vendor).json["ports"] == []
        assert_problem(
            client.post(f"/v1/cores/{core_id}/publish", headers=vendor), 403, "vlnv.vendor"
        )
        assert (
            client.post(
                f"/v1/vendor-name-claims/{pending[0]['id']}/confirm", json={}, headers=admin
            ).status_code
            == 200
        )
        published = client.post(f"/v1/cores/{core_id}/publish", headers=vendor)
        assert published.status_code == 200, published.json
    finally:
        context.engine.dispose()


JSON_COLUMNS = (
    "deliverable_kinds",
    "hdl_languages",
    "standards",
    "targets",
    "territory_restrictions",
    "documents",
    "deliverables",
    "parameters",
    "bus_interfaces",
    "file_sets",
    "facet_values",
)
