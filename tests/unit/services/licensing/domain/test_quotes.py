"""A quote's states and validity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.licensing.domain.quotes import (
    DECLINABLE,
    REJECTABLE,
    SENDABLE,
    check_acceptable,
    check_state,
    check_valid_until,
)
from shared.errors import Conflict, Invalid
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
