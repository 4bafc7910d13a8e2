"""Search over the demo marketplace, on PostgreSQL (tsvector + GIN) and on SQLite (FTS5): the same
questions must get the same answers. Expected answers come from the demo data itself."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from ipmarket.devtools import demo
from services.catalog.app import build_context, create_app
from services.catalog.domain import taxonomy
from services.catalog.organisations import create_api_key
from services.catalog.search import postgres_backend
from shared.db.engine import create_engine
from shared.db.migrations import upgrade
from tests.integration.catalog.conftest import assert_problem

PRODUCTS = {p[1]: p for p in demo.PRODUCTS}


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def market(request, tmp_path_factory):
    """The demo marketplace, loaded once per backend for this module's read-only tests."""
    if request.param == "postgresql":
        postgres = request.getfixturevalue("postgres")
        admin = request.getfixturevalue("postgres_admin_engine")
        name = f"catalog_search_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = (
            sa.make_url(create_engine(postgres.get_uri()).url)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'catalog.db'}"
    upgrade("catalog", url)
    context = build_context(url)
    demo.load(context)
    with context.unit_of_work() as uow:  # one private draft, to check who sees it
        vendor = uow.session.scalar(
            sa.text("SELECT id FROM organisation WHERE legal_name_en LIKE 'Nordic%'")
        )
        _, key = create_api_key(uow, vendor, "search test")
        uow.commit()
    client = create_app(url).test_client()
    client.post(
        "/v1/cores",
        json={
            "vlnv": {
                "vendor": "fjordsemi.no",
                "library": "ip",
                "name": "secret_radio",
                "version": "0.1.0",
            },
            "title_en": "Secret radio draft",
        },
        headers={"Authorization": f"Bearer {key}"},
    )
    yield client, {"Authorization": f"Bearer {key}"}
    context.engine.dispose()


def search(client, headers=None, **query):
    response = client.get("/v1/cores", query_string=query, headers=headers or {})
    assert response.status_code == 200, response.json
    return response.json


def everything(client, headers=None, **query):
    items, cursor = [], None
    while True:
        page = search(client, headers, limit=7, **({"cursor": cursor} if cursor else {}), **query)
        items.extend(page["items"])
        cursor = page["next"]
        if cursor is None:
            return items, page


def published_products(predicate) -> set[str]:
    """Names of demo products whose published versions match (both versions are published;
    the older one of OLDER_DEPRECATED is deprecated, so not public)."""
    return {name for name, product in PRODUCTS.items() if predicate(product)}


def test_english_text_finds_titles_standards_and_descriptions(market):
    client, _ = market
    found = {c["vlnv"]["name"] for c in search(client, q="DDR5", limit=100)["items"]}
    assert found == published_products(
        lambda p: "DDR5" in p[5] or re.search(r"\bDDR5\b", p[2] + " " + p[12])
    )
    # Stemming: "controller" finds "controllers" (in category names) too.
    found = {c["vlnv"]["name"] for c in search(client, q="controller", limit=100)["items"]}
    assert found == published_products(
        lambda p: "controller" in (p[2] + p[12] + taxonomy.CATEGORIES[p[4]]).lower()
    )
    # VLNV.
    found = search(client, q="siliconprairie.com ucie_phy")["items"]
    assert {c["vlnv"]["name"] for c in found} == {"ucie_phy"}


@pytest.mark.parametrize("text", ["控制器", "存储", "記憶體", "射頻", "密码引擎", "鎖"])
def test_chinese_text_is_found_inside_longer_titles(market, text):
    client, _ = market
    found = {c["vlnv"]["name"] for c in search(client, q=text, limit=100)["items"]}
    expected = published_products(lambda p: text in (p[3] or ""))
    assert expected and found == expected


def test_mixed_chinese_and_english_query_needs_both(market):
    client, _ = market
    found = {c["vlnv"]["name"] for c in search(client, q="PCIe 控制器", limit=100)["items"]}
    assert found == {"pcie5_ctrl"}


def test_facets_count_the_matching_set(market):
    client, _ = market
    items, last = everything(client)
    assert len(items) == last["total"] == len(demo.PRODUCTS) * 2 - len(demo.OLDER_DEPRECATED)
    facets = last["facets"]
    by_category = {}
    for core in items:
        by_category[core["category"]] = by_category.get(core["category"], 0) + 1
    assert {f["value"]: f["count"] for f in facets["category"]} == by_category
    assert {f["value"] for f in facets["region"]} == {
        "mainland_china",
        "hong_kong",
        "taiwan",
        "overseas",
    }
    assert {"SMIC", "TSMC", "Hua Hong"} <= {f["value"] for f in facets["foundry"]}
    assert {f["value"] for f in facets["price"]} >= {"under_10k", "250k_plus"}
    ddr5 = next(f for f in facets["standard"] if f["value"] == "DDR5")
    assert ddr5["count"] == sum("DDR5" in c["standards"] for c in items)


def test_filters_combine_any_within_a_facet_and_all_across(market):
    client, _ = market
    items, page = everything(
        client, category=["security_crypto", "wireless_rf"], region="mainland_china"
    )
    assert items and len(items) == page["total"]
    assert all(
        c["category"] in {"security_crypto", "wireless_rf"}
        and c["vendor_region"] == "mainland_china"
        for c in items
    )
    assert {c["vlnv"]["name"] for c in items} == published_products(lambda p: p[0] == "xihu")
    smic = search(client, foundry="SMIC", maturity="silicon_proven", q="controller", limit=100)
    assert smic["items"] and all(
        any(t["foundry"] == "SMIC" for t in c["targets"]) for c in smic["items"]
    )


@pytest.mark.parametrize(
    "sort, query", [("newest", {}), ("title", {}), ("relevance", {"q": "AXI4"})]
)
def test_cursor_pages_cover_every_result_once_in_order(market, sort, query):
    client, _ = market
    items, page = everything(client, sort=sort, **query)
    ids = [c["id"] for c in items]
    assert len(ids) == len(set(ids)) == page["total"]
    if sort == "title":
        titles = [c["title_en"] for c in items]
        assert titles == sorted(titles)
    if sort == "newest":
        stamps = [c["published_at"] for c in items]
        assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"sort": "title"},
        {"category": ["security_crypto", "wireless_rf"], "sort": "title"},
        {"region": "mainland_china", "foundry": "SMIC"},
    ],
)
def test_narrow_and_broad_browses_list_the_same(market, monkeypatch, query):
    # On PostgreSQL a browse of a few cores names them by seq (every browse of the demo set
    # does); one of many walks with the filters alone. Both must page alike.
    client, vendor = market
    narrow, _ = everything(client, vendor, **query)
    monkeypatch.setattr(postgres_backend, "NARROW_MATCH", 0)
    broad, _ = everything(client, vendor, **query)
    assert narrow and [c["id"] for c in broad] == [c["id"] for c in narrow]


def test_drafts_are_seen_by_their_vendor_only(market):
    client, vendor = market
    assert search(client, q="secret radio")["total"] == 0
    mine = search(client, vendor, q="secret radio")
    assert [c["status"] for c in mine["items"]] == ["draft"]
    deprecated = search(client, status="deprecated")
    assert deprecated["total"] == 0  # the deprecated versions are the vendors' business


@pytest.mark.parametrize(
    "query, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"sort": "price"}, "sort"),
        ({"cursor": "!!!"}, "cursor"),
        ({"categroy": "memories"}, "categroy"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_search_arguments_are_problems(market, query, field):
    client, _ = market
    assert_problem(client.get("/v1/cores", query_string=query), 422, field)


def test_hostile_text_is_only_text(market):
    client, _ = market
    for text in ['"', "AND OR NOT", "NEAR(a b)", "col:value", "a & | ! b", "*", "'); --"]:
        assert client.get("/v1/cores", query_string={"q": text}).status_code == 200


def test_vendor_facet_filters_and_counts(market):
    client, _ = market
    everything_page = search(client, limit=1)
    vendors = everything_page["facets"]["vendor"]
    assert len(vendors) == 9  # the demo's vendors (licensees publish nothing)
    busiest = vendors[0]
    items, page = everything(client, vendor=busiest["value"])
    assert page["total"] == len(items) == busiest["count"]
    assert {c["vendor_id"] for c in items} == {busiest["value"]}


def test_search_syntax_phrases_or_and_exclusion(market, request):
    """PostgreSQL's web search syntax; SQLite (the zero-setup database) matches plain words."""
    if "sqlite" in request.node.callspec.id:
        pytest.skip("search syntax is a PostgreSQL feature")
    client, _ = market

    def names(**query):
        return {c["vlnv"]["name"] for c in search(client, limit=100, **query)["items"]}

    assert names(q="SM4 OR SM2") == {"sm4_engine", "sm2_sm3_pke"}
    assert names(q="crypto -SM4") >= {"aes_gcm"} and "sm4_engine" not in names(q="crypto -SM4")
    assert names(q='"network-on-chip"') == {"noc_fabric"}


def test_a_search_sees_every_change_at_once_despite_the_match_cache(catalog):
    """Search answers from a per-process cache of matches; any change to a core must show on
    the very next search (same process, same cache)."""
    from tests.integration.catalog.conftest import create_core

    def found(q: str) -> set[str]:
        answer = catalog.client.get(
            "/v1/cores", query_string={"q": q}, headers=catalog.licensee.auth
        )
        assert answer.status_code == 200, answer.json
        return {item["id"] for item in answer.json["items"]}

    first = create_core(
        catalog,
        publish=True,
        name="ddr5_phy_a",
        description_en="Zanzibar training firmware for DDR5.",
    )
    assert found("Zanzibar") == {first["id"]}
    assert found("物理层") == {first["id"]}
    second = create_core(
        catalog, publish=True, name="ddr5_phy_b", description_en="Zanzibar again, a second PHY."
    )
    assert found("Zanzibar") == {first["id"], second["id"]}  # a newly published core
    edited = catalog.client.patch(
        f"/v1/cores/{first['id']}",
        json={"description_en": "Kilimanjaro training firmware."},
        headers={**catalog.vendor.auth, "If-Match": f'"{first["version"]}"'},
    )
    assert edited.status_code == 200, edited.json
    assert found("Zanzibar") == {second["id"]}  # a text-only edit
    assert found("Kilimanjaro") == {first["id"]}
    withdrawn = catalog.client.post(
        f"/v1/cores/{second['id']}/withdraw", headers=catalog.vendor.auth
    )
    assert withdrawn.status_code == 200, withdrawn.json
    assert found("物理层") == {first["id"]}  # withdrawn cores are gone for other organisations


def test_a_browse_sees_every_change_at_once_despite_the_pages_kept(catalog):
    """A browse (no text) keeps its pages until a core changes (search/browse_pages.py): the
    next browse after any change shows it, for every viewer as they may see it."""
    from tests.integration.catalog.conftest import create_core

    def listed(auth=None, **query) -> list[str]:
        query = {"category": "memory_controllers_phys", "sort": "title", **query}
        answer = catalog.client.get("/v1/cores", query_string=query, headers=auth or {})
        assert answer.status_code == 200, answer.json
        return [item["title_en"] for item in answer.json["items"]]

    create_core(catalog, publish=True, name="phy_b", title_en="B PHY")
    assert listed() == listed() == ["B PHY"]  # the second from what was kept
    draft = create_core(catalog, name="phy_a", title_en="A PHY")
    assert listed() == ["B PHY"]  # a draft: its vendor's alone
    assert listed(catalog.vendor.auth) == ["A PHY", "B PHY"]
    assert listed(limit=1) == ["B PHY"]  # another page of the same browse
    published = catalog.client.post(f"/v1/cores/{draft['id']}/publish", headers=catalog.vendor.auth)
    assert published.status_code == 200
    assert listed() == ["A PHY", "B PHY"]
    assert listed(limit=1) == ["A PHY"]
