"""What a core is found by."""

from __future__ import annotations

from types import SimpleNamespace

from services.catalog.domain.search_terms import search_columns


def core(**changes):
    fields = {
        "vlnv_vendor": "example.com",
        "vlnv_library": "ip",
        "vlnv_name": "ddr5_phy",
        "vlnv_version": "1.0",
        "title_en": "DDR5 PHY",
        "title_zh": "高速物理层",
        "description_en": "A PHY.",
        "description_zh": None,
        "standards": ["DDR5"],
        "category": "memory_controllers_phys",
        "status": "published",
        "vendor_region": "mainland_china",
        "vendor_id": "org-1",
        "deliverable_kinds": ["hard_macro_gdsii"],
        "targets": [{"foundry": "SMIC", "node": "14nm", "maturity": "silicon_proven"}],
        "offers": [{"kind": "perpetual", "price": {"amount": "80000", "currency": "USD"}}],
    }
    return SimpleNamespace(**{**fields, **changes})


def test_every_facet_value_of_a_core_is_listed_sorted():
    assert search_columns(core())["facet_values"] == [
        "category:memory_controllers_phys",
        "deliverable:hard_macro_gdsii",
        "foundry:SMIC",
        "maturity:silicon_proven",
        "node:14nm",
        "price:50k_250k",
        "region:mainland_china",
        "standard:DDR5",
        "status:published",
        "vendor:org-1",
    ]


def test_a_core_without_category_has_no_category_facet():
    assert not any(
        v.startswith("category:") for v in search_columns(core(category=None))["facet_values"]
    )


def test_the_price_band_is_that_of_the_cheapest_production_offer():
    assert search_columns(core())["price_band"] == "50k_250k"
    assert search_columns(core(offers=[]))["price_band"] == "on_request"


def test_chinese_is_indexed_as_bigrams_apart_from_latin_text():
    columns = search_columns(core())
    assert "物理" in columns["search_cjk"].split()
    assert "物理" not in columns["search_text"]
    assert "example.com:ip:ddr5_phy:1.0" in columns["search_text"]


def test_the_title_column_holds_the_title_the_name_and_the_standards():
    title = search_columns(core())["search_title"]
    assert "DDR5 PHY" in title and "ddr5_phy" in title and "物理" in title
