"""A license request's rules: which version range it may cover, whether it must be paid for,
and which states a decision may be taken in.

screening → denied | (review by an admin) | pending_approval → approved/rejected | approved
(priced, awaiting its order) | issued; screening or pending_approval lapse → expired.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from services.licensing.domain.money import Money
from services.licensing.domain.verification import version_allowed
from shared.errors import Conflict, Invalid

PENDING = ("screening", "pending_approval")  # undecided: these lapse
VENDOR_DECISIONS = ("approved", "rejected")
REVIEW_OUTCOMES = ("allow", "deny")


def body_hash(body: dict) -> str:
    """What an Idempotency-Key is checked against: the same key must come with the same body."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def version_constraint(core_version: str, version_range: str | None) -> str:
    """The PEP 440 constraint the license will cover: the requested range, which must include
    the offered version, or exactly that version."""
    if version_range is None:
        try:
            return f"=={Version(core_version)}"
        except InvalidVersion:
            return f"==={core_version}"  # e.g. "r1p0": arbitrary equality
    try:
        SpecifierSet(version_range)
    except InvalidSpecifier:
        raise Invalid(
            f"{version_range!r} is not a version range such as '>=1.0,<2.0'", field="version_range"
        ) from None
    if not version_allowed(version_range, core_version):
        raise Invalid(
            f"the range {version_range!r} does not include the offered version {core_version}",
            field="version_range",
        )
    return version_range


def needs_payment(offer: dict) -> bool:
    """A priced offer (or an accepted quote) is paid for before its license is issued; one
    without a price or priced at zero (e.g. foundation IP the foundry pays for) is not."""
    price = offer.get("price")
    return price is not None and Money.parse(price["amount"], price["currency"]).minor > 0


def check_decidable(state: str, expires_at: datetime, awaited: str, now: datetime) -> None:
    """A decision is taken on a request in the `awaited` state that has not lapsed."""
    if state != awaited:
        raise Conflict(f"the request is {state}, not {awaited}", state=state)
    if expires_at <= now:
        raise Conflict("the request has lapsed", state="expired")


def state_after_clearing(offer: dict) -> str:
    """Screening (and the vendor, where asked) allowed it: a priced offer waits for its order
    (approved); a free one is issued at once."""
    return "approved" if needs_payment(offer) else "issued"
