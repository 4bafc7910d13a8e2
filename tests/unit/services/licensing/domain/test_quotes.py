"""A quote's states and validity, and the offer accepting it licenses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.licensing.domain.quotes import (
    DECLINABLE,
    REJECTABLE,
    SENDABLE,
    accepted_offer,
    check_acceptable,
    check_state,
    check_valid_until,
)
from shared.errors import Conflict, Invalid
from tests.unit.services.licensing.domain.test_cores import terms
from tests.unit.services.licensing.fakes import NOW

LATER = NOW + timedelta(days=14)


@pytest.mark.parametrize("state", ["requested", "sent"])
def test_the_vendor_sends_or_revises_an_unanswered_quote(state):
    check_state(state, SENDABLE)


@pytest.mark.parametrize("state", ["requested", "sent"])
def test_the_vendor_rejects_a_quote_the_licensee_has_not_answered(state):
    check_state(state, REJECTABLE)


@pytest.mark.parametrize("state", ["accepted", "declined", "rejected"])
def test_an_answered_quote_is_neither_revised_nor_declined_nor_rejected(state):
    for allowed in (SENDABLE, DECLINABLE, REJECTABLE):
        with pytest.raises(Conflict) as error:
            check_state(state, allowed)
        assert error.value.extra == {"state": state}


def test_a_quote_is_valid_until_a_moment_in_the_future():
    check_valid_until(LATER, NOW)
    with pytest.raises(Invalid) as error:
        check_valid_until(NOW, NOW)
    assert error.value.field == "valid_until"


def test_only_a_sent_quote_still_valid_is_accepted():
    check_acceptable("sent", LATER, NOW)
    with pytest.raises(Conflict) as error:
        check_acceptable("sent", NOW, NOW)
    assert error.value.extra == {"state": "expired"}
    with pytest.raises(Conflict) as error:
        check_acceptable("requested", LATER, NOW)
    assert error.value.extra == {"state": "requested"}


AS_SENT = {"offer_id": "std", "kind": "single_project", "term_months": 12, "on_request": True}
PRICE = {"amount": "180000.00", "currency": "CNY"}


@pytest.mark.parametrize("status", ["published", "deprecated"])
def test_an_accepted_quote_licenses_its_offer_as_sent_though_the_vendor_removed_it(status):
    core = terms(status)  # has only "eval" now
    assert accepted_offer(core, "std", AS_SENT, PRICE, "Q1") == {
        **AS_SENT,
        "price": PRICE,
        "on_request": False,
        "requires_approval": False,  # the vendor's quote stands for its approval
        "quote_id": "Q1",
    }


def test_a_quote_older_than_captured_offers_takes_the_offer_the_core_has():
    assert accepted_offer(terms(), "eval", None, PRICE, "Q1")["kind"] == "evaluation"
    with pytest.raises(Conflict) as error:
        accepted_offer(terms(), "std", None, PRICE, "Q1")
    assert error.value.extra == {"offer_id": "std"}


@pytest.mark.parametrize("status", ["withdrawn", "draft"])
def test_a_core_no_longer_offered_is_not_licensed_by_a_quote(status):
    with pytest.raises(Conflict) as error:
        accepted_offer(terms(status), "std", AS_SENT, PRICE, "Q1")
    assert error.value.extra == {"core_status": status}
    with pytest.raises(Conflict):
        accepted_offer(None, "std", AS_SENT, PRICE, "Q1")
