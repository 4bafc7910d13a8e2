"""Checking and normalising a core's fields."""

from __future__ import annotations

import pytest

from services.catalog.domain.core_fields import (
    EDITABLE,
    check_known_fields,
    check_offer_ids,
    checked_fields,
    checked_offers,
)
from shared.errors import Invalid


def ids():
    counter = iter(range(1, 100))
    return lambda: f"offer-{next(counter)}"


def offer(**changes):
    return {
        "kind": "single_project",
        "price": {"amount": "1000", "currency": "USD"},
        "requires_approval": True,
        **changes,
    }


def test_an_unknown_field_is_named():
    with pytest.raises(Invalid) as raised:
        check_known_fields({"title_en": "x", "colour": "red"}, EDITABLE, "not a core field")
    assert raised.value.field == "colour"


def test_an_unknown_category_is_refused():
    with pytest.raises(Invalid) as raised:
        checked_fields({"category": "toys"})
    assert raised.value.field == "category"


@pytest.mark.parametrize("eccn", ["EAR99", "3E001", "5A002a.1"])
def test_an_eccn_passes(eccn):
    assert checked_fields({"eccn": eccn}) == {"eccn": eccn}


@pytest.mark.parametrize("eccn", ["ear99", "3X001", "12345"])
def test_what_is_no_eccn_is_refused(eccn):
    with pytest.raises(Invalid):
        checked_fields({"eccn": eccn})


def test_standards_take_their_known_spelling_once():
    assert checked_fields({"standards": ["pcie 5.0", "PCIe5.0", "My Bus"]}) == {
        "standards": ["PCIe 5.0", "My Bus"]
    }


def test_deliverable_kinds_are_deduplicated_in_vocabulary_order():
    assert checked_fields({"deliverable_kinds": ["testbench", "soft_rtl", "testbench"]}) == {
        "deliverable_kinds": ["soft_rtl", "testbench"]
    }


def test_an_unknown_hdl_language_names_its_index():
    with pytest.raises(Invalid) as raised:
        checked_fields({"hdl_languages": ["verilog", "cobol"]})
    assert raised.value.field == "hdl_languages.1"


def test_targets_are_normalised():
    target = {"foundry": "  TSMC   Nanjing ", "node": "28 NM", "maturity": "silicon_proven"}
    assert checked_fields({"targets": [target]})["targets"] == [
        {"foundry": "TSMC Nanjing", "node": "28nm", "maturity": "silicon_proven"}
    ]


def test_an_unknown_maturity_is_named():
    with pytest.raises(Invalid) as raised:
        checked_fields({"targets": [{"foundry": "x", "node": "7nm", "maturity": "dreamed"}]})
    assert raised.value.field == "targets.0.maturity"


def test_territories_are_upper_cased_and_deduplicated():
    assert checked_fields({"territory_restrictions": ["ru", "KP", "RU"]}) == {
        "territory_restrictions": ["KP", "RU"]
    }


def test_a_new_offer_gets_an_id_and_its_defaults():
    (checked,) = checked_offers([offer()], "offers", ids())
    assert checked["offer_id"] == "offer-1"
    assert checked["price"] == {"amount": "1000", "currency": "USD"}
    assert checked["on_request"] is False
    assert (checked["term_months"], checked["seats"], checked["royalty_percent"]) == (
        None,
        None,
        None,
    )


def test_an_offer_keeps_its_id():
    (checked,) = checked_offers([offer(offer_id="kept")], "offers", ids())
    assert checked["offer_id"] == "kept"


def test_an_offer_without_price_must_be_on_request_unless_an_evaluation():
    with pytest.raises(Invalid) as raised:
        checked_offers([offer(price=None)], "offers", ids())
    assert raised.value.field == "offers.0.price"
    (evaluation,) = checked_offers([offer(kind="evaluation", price=None)], "offers", ids())
    assert evaluation["on_request"] is False
    (asked,) = checked_offers([offer(price=None, on_request=True)], "offers", ids())
    assert asked["on_request"] is True


def test_an_offer_in_another_currency_is_refused():
    with pytest.raises(Invalid) as raised:
        checked_offers([offer(price={"amount": "1", "currency": "EUR"})], "offers", ids())
    assert raised.value.field == "offers.0.price.currency"


def test_a_negative_price_is_refused():
    with pytest.raises(Invalid) as raised:
        checked_offers([offer(price={"amount": "-1", "currency": "USD"})], "offers", ids())
    assert raised.value.field == "offers.0.price.amount"


def test_a_royalty_bearing_offer_states_its_royalty():
    with pytest.raises(Invalid) as raised:
        checked_offers([offer(kind="royalty_bearing")], "offers", ids())
    assert raised.value.field == "offers.0.royalty_percent"
    (royalty,) = checked_offers(
        [offer(kind="royalty_bearing", royalty_percent=2.5)], "offers", ids()
    )
    assert royalty["royalty_percent"] == "2.5"


def test_an_offer_of_another_core_is_refused():
    check_offer_ids([{"offer_id": "a"}, {"kind": "evaluation"}], {"a"})
    with pytest.raises(Invalid) as raised:
        check_offer_ids([{"offer_id": "a"}, {"offer_id": "b"}], {"a"})
    assert raised.value.field == "offers.1.offer_id"
