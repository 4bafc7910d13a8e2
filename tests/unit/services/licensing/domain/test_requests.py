"""A license request's rules: version ranges, payment, decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.licensing.domain.requests import (
    body_hash,
    check_decidable,
    needs_payment,
    state_after_clearing,
    version_constraint,
)
from shared.errors import Conflict, Invalid
from tests.unit.services.licensing.fakes import NOW


def test_without_a_range_the_license_covers_exactly_the_offered_version():
    assert version_constraint("1.2.0", None) == "==1.2.0"


def test_a_version_outside_pep_440_is_covered_by_arbitrary_equality():
    assert version_constraint("r1p0", None) == "===r1p0"


def test_a_range_including_the_offered_version_is_kept():
    assert version_constraint("1.2.0", ">=1.0,<2.0") == ">=1.0,<2.0"


@pytest.mark.parametrize("version_range", [">=2.0", "about 1", "~="])
def test_a_range_that_is_not_one_or_misses_the_version_names_the_field(version_range):
    with pytest.raises(Invalid) as error:
        version_constraint("1.2.0", version_range)
    assert error.value.field == "version_range"


@pytest.mark.parametrize(
    "offer, paid",
    [
        ({}, False),
        ({"price": None}, False),
        ({"price": {"amount": "0.00", "currency": "USD"}}, False),
        ({"price": {"amount": "0.01", "currency": "USD"}}, True),
    ],
)
def test_only_an_offer_priced_above_zero_needs_payment(offer, paid):
    assert needs_payment(offer) is paid
    assert state_after_clearing(offer) == ("approved" if paid else "issued")


def test_the_body_hash_ignores_key_order_and_sees_any_change():
    assert body_hash({"a": 1, "b": 2}) == body_hash({"b": 2, "a": 1})
    assert body_hash({"a": 1}) != body_hash({"a": 2})


def test_a_decision_is_taken_only_in_the_awaited_state_and_before_the_lapse():
    later = NOW + timedelta(hours=1)
    check_decidable("pending_approval", later, "pending_approval", NOW)
    with pytest.raises(Conflict) as error:
        check_decidable("screening", later, "pending_approval", NOW)
    assert error.value.extra == {"state": "screening"}
    with pytest.raises(Conflict) as error:
        check_decidable("pending_approval", NOW, "pending_approval", NOW)
    assert error.value.extra == {"state": "expired"}
