"""A quote's states: requested → sent (the vendor may send a revised quote while it is not
answered) → accepted or declined by the licensee; a quote past its validity cannot be accepted.
The vendor may instead reject a quote not yet answered (it will not quote, or takes back what it
sent), saying why."""

from __future__ import annotations

from datetime import datetime

from shared.errors import Conflict, Invalid

QUOTE_STATES = ("requested", "sent", "accepted", "declined", "rejected")
SENDABLE = ("requested", "sent")  # a sent quote may be revised until it is answered
ACCEPTABLE = ("sent",)
DECLINABLE = ("requested", "sent")
REJECTABLE = ("requested", "sent")  # the vendor's no, while the licensee has not answered


def check_state(state: str, allowed: tuple[str, ...]) -> None:
    if state not in allowed:
        raise Conflict(f"the quote is {state}", state=state)


def check_valid_until(valid_until: datetime, now: datetime) -> None:
    """What the vendor sends must be valid until a moment in the future."""
    if valid_until <= now:
        raise Invalid("a quote must be valid until a moment in the future", field="valid_until")


def check_acceptable(state: str, valid_until: datetime, now: datetime) -> None:
    check_state(state, ACCEPTABLE)
    if valid_until <= now:
        raise Conflict("the quote has expired: ask the vendor for a new one", state="expired")
