"""Pure rules of the taxonomy: Chinese search terms, price bands, canonical standards."""

from __future__ import annotations

from services.catalog.domain import taxonomy


def test_chinese_is_indexed_as_characters_and_bigrams_and_queried_as_bigrams():
    assert taxonomy.cjk_document_terms("DDR5 物理层") == "物 理 层 物理 理层"
    assert taxonomy.cjk_query_terms("物理层 接口") == ["物理", "理层", "接口"]
    assert taxonomy.cjk_query_terms("鎖") == ["鎖"]
    assert taxonomy.without_cjk("PCIe 控制器 5.0").split() == ["PCIe", "5.0"]


def test_price_band_uses_the_cheapest_production_offer_in_dollars():
    def offer(kind, amount=None, currency="USD"):
        return {
            "kind": kind,
            "price": {"amount": amount, "currency": currency} if amount is not None else None,
        }

    assert taxonomy.price_band([offer("evaluation", "0")]) == "on_request"
    assert (
        taxonomy.price_band([offer("evaluation", "0"), offer("single_project", "9999")])
        == "under_10k"
    )
    assert taxonomy.price_band([offer("perpetual", "300000", "CNY")]) == "10k_50k"  # ≈ 42,000 USD
    assert taxonomy.price_band([offer("multi_project", "2000000", "HKD")]) == "250k_plus"


def test_standards_have_one_spelling():
    assert taxonomy.canonical_standard("pcie 5.0") == "PCIe 5.0"
    assert taxonomy.canonical_standard("MIPI  csi2") == "MIPI CSI-2"
    assert taxonomy.canonical_standard("My Bus") == "My Bus"
