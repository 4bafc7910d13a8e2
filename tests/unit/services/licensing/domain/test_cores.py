"""Which offers of a core a licensee may ask for."""

from __future__ import annotations

import pytest

from services.licensing.domain.cores import CoreTerms, requested_offer
from shared.errors import Invalid


def terms(status="published") -> CoreTerms:
    return CoreTerms(
        core_id="K",
        vendor_id="V",
        vlnv={"version": "1.0"},
        status=status,
        eccn="EAR99",
        territory_restrictions=[],
        deliverables=[],
        offers=[{"offer_id": "eval", "kind": "evaluation"}],
        version=3,
    )


@pytest.mark.parametrize("status", ["published", "deprecated"])
def test_an_offer_of_an_offered_core_is_found(status):
    assert requested_offer(terms(status), "K", "eval") == {"offer_id": "eval", "kind": "evaluation"}


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_a_core_that_is_not_offered_names_the_core_id(status):
    with pytest.raises(Invalid) as error:
        requested_offer(terms(status), "K", "eval")
    assert error.value.field == "core_id"


def test_an_unknown_core_names_the_core_id():
    with pytest.raises(Invalid) as error:
        requested_offer(None, "K", "eval")
    assert error.value.field == "core_id"


def test_an_offer_the_core_does_not_have_names_the_offer_id():
    with pytest.raises(Invalid) as error:
        requested_offer(terms(), "K", "perpetual")
    assert error.value.field == "offer_id"
    assert terms().offer("perpetual") is None
