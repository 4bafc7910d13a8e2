"""A license's state as the deliverables service follows it from licensing's events, and what
it entitles its holder to.

Licensing publishes a license's events in order on its id, but a consumer may still meet an
old one again (a redelivery after a rebalance is dropped by id, a replayed topic is not): so
revoked and expired are final here, whatever arrives after them."""

from __future__ import annotations

from datetime import datetime

VALID, SUSPENDED, REVOKED, EXPIRED = "valid", "suspended", "revoked", "expired"
LICENSE_STATES = (VALID, SUSPENDED, REVOKED, EXPIRED)
FINAL_STATES = frozenset({REVOKED, EXPIRED})

# What each licensing event makes of a license (by the event's action: issued, suspended …).
STATE_AFTER = {
    "issued": VALID,
    "reinstated": VALID,
    "renewed": VALID,
    "suspended": SUSPENDED,
    "revoked": REVOKED,
    "expired": EXPIRED,
}


def state_after(current: str | None, action: str) -> str:
    """The state after `action` (a key of STATE_AFTER) on a license now in `current`."""
    if current in FINAL_STATES:
        return current
    return STATE_AFTER[action]


def is_valid(state: str, expires_at: datetime | None, now: datetime) -> bool:
    """Downloads are allowed while VALID and not past its end: the expiry event may come a
    little after the moment itself, and the moment is what the license says."""
    return state == VALID and (expires_at is None or now < expires_at)
