"""A quote's states: requested → sent (the vendor may send a revised quote while it is not
answered) → accepted or declined by the licensee; a quote past its validity cannot be accepted.
The vendor may instead reject a quote not yet answered (it will not quote, or takes back what it
sent), saying why.

A quote binds the vendor to the offer as it stood when sent: accepted in time, it licenses that,
even if the vendor has since edited or removed the offer (which stops new requests and quotes,
not one already priced). A core withdrawn since is licensed no more."""

from __future__ import annotations

from datetime import datetime

from services.licensing.domain.cores import REQUESTABLE_CORE_STATES, CoreTerms
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


def accepted_offer(
    core: CoreTerms | None, offer_id: str, captured: dict | None, price: dict, quote_id: str
) -> dict:
    """What a request made by accepting a quote is for: the offer `captured` when the quote was
    sent, at the quoted price, the vendor's approval given by the quote. `core`: its terms now."""
    if core is None or core.status not in REQUESTABLE_CORE_STATES:
        status = core.status if core else "unknown"
        raise Conflict(f"the core is {status}: it is no longer licensed", core_status=status)
    offer = captured or core.offer(offer_id)  # a quote older than captured offers
    if offer is None:
        raise Conflict(f"the core no longer has offer {offer_id}", offer_id=offer_id)
    return {
        **offer,
        "price": price,
        "on_request": False,
        "requires_approval": False,
        "quote_id": quote_id,
    }
