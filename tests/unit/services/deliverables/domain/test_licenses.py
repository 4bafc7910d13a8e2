from datetime import UTC, datetime, timedelta

import pytest

from services.deliverables.domain.licenses import (
    EXPIRED,
    REVOKED,
    SUSPENDED,
    VALID,
    is_valid,
    state_after,
)

NOW = datetime(2026, 12, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    "current, action, expected",
    [
        (None, "issued", VALID),
        (VALID, "suspended", SUSPENDED),
        (SUSPENDED, "reinstated", VALID),
        (VALID, "revoked", REVOKED),
        (VALID, "expired", EXPIRED),
        (VALID, "renewed", VALID),
        (REVOKED, "reinstated", REVOKED),  # final: an old event arriving late changes nothing
        (EXPIRED, "issued", EXPIRED),
    ],
)
def test_states_follow_the_license_events(current, action, expected):
    assert state_after(current, action) == expected


def test_only_a_valid_license_within_its_term_entitles():
    assert is_valid(VALID, None, NOW)
    assert is_valid(VALID, NOW + timedelta(seconds=1), NOW)
    assert not is_valid(VALID, NOW, NOW)  # its end has come, whether or not the event has
    assert not is_valid(SUSPENDED, None, NOW)
    assert not is_valid(REVOKED, None, NOW)
