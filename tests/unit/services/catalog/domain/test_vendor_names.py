"""VLNV vendor names."""

from __future__ import annotations

import pytest

from services.catalog.domain.vendor_names import (
    STATUSES,
    checked_name,
    may_claim_again,
    normalised,
)
from shared.errors import Invalid


def test_names_compare_without_case_or_surrounding_space():
    assert normalised("  Example.COM ") == "example.com"


def test_a_claimed_name_is_normalised():
    assert checked_name("ARM.com") == "arm.com"


@pytest.mark.parametrize("name", ["", "has space", "a/b", "x" * 129])
def test_a_name_that_is_no_vlnv_vendor_is_refused(name):
    with pytest.raises(Invalid) as raised:
        checked_name(name)
    assert raised.value.field == "name"


def test_only_a_declined_claim_may_be_made_again():
    assert may_claim_again("declined")
    assert not may_claim_again("pending")
    assert not may_claim_again("confirmed")


def test_the_statuses_are_the_three_of_a_claim():
    assert STATUSES == ("pending", "confirmed", "declined")
