"""A license's rules: its term, the claims its token states, and its lifecycle.

active ⇄ suspended (suspend / reinstate); active or suspended → revoked (final); active →
expired (the scheduler, at its expiry); active or expired → active again by a renewal.
"""

from __future__ import annotations

import calendar
from datetime import datetime

from shared.errors import Conflict, Invalid

LICENSE_STATES = ("active", "suspended", "revoked", "expired")
# action → (the states it may be taken from, the state it leads to)
TRANSITIONS = {
    "suspended": (frozenset({"active"}), "suspended"),
    "reinstated": (frozenset({"suspended"}), "active"),
    "revoked": (frozenset({"active", "suspended"}), "revoked"),
}
RENEWABLE = frozenset({"active", "expired"})
WITHDRAWN = ("revoked", "suspended")  # what a status list tells verifiers
SCOPE_BY_OFFER = {"evaluation": "evaluation", "multi_project": "multi_project"}  # else: project


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later, or the month's last day if it has fewer days."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def next_state(state: str, action: str) -> str:
    """The state `action` (suspended, reinstated, revoked) leads to from `state`; Conflict if
    it cannot be taken from there."""
    allowed, to = TRANSITIONS[action]
    if state not in allowed:
        raise Conflict(f"a {state} license cannot be {action}", state=state)
    return to


def renewed_expiry(
    state: str,
    current_expiry: datetime | None,
    now: datetime,
    *,
    months: int | None = None,
    expires_at: datetime | None = None,
) -> datetime:
    """The expiry after a renewal: `months` from the later of now and the current expiry, or
    `expires_at`, which must be later than both."""
    if state not in RENEWABLE:
        raise Conflict(f"a {state} license cannot be renewed", state=state)
    if current_expiry is None:
        raise Conflict("a perpetual license needs no renewal")
    start = max(now, current_expiry)
    if expires_at is None:
        expires_at = add_months(start, months)
    if expires_at <= start:
        raise Invalid(
            "the new expiry must be later than the current one and than now", field="expires_at"
        )
    return expires_at


def license_scope(offer_kind: str, project_name: str | None) -> dict:
    scope = {"kind": SCOPE_BY_OFFER.get(offer_kind, "project")}
    if scope["kind"] == "project":
        scope["project"] = project_name
    return scope


def license_claims(
    *,
    license_id: str,
    issuer: str,
    licensee_id: str,
    vendor_id: str,
    core: dict,
    offer: dict,
    project_name: str | None,
    territory: str,
    deliverables: list,
    issued_at: datetime,
    expires_at: datetime | None,
) -> dict:
    """What the signed token states (revision 1); absent values are left out."""
    claims = {
        "jti": license_id,
        "iss": issuer,
        "sub": licensee_id,
        "revision": 1,
        "iat": int(issued_at.timestamp()),
        "nbf": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()) if expires_at else None,
        "vendor": vendor_id,
        "licensee": licensee_id,
        "core": core,
        "offer_kind": offer["kind"],
        "offer_id": offer["offer_id"],
        "scope": license_scope(offer["kind"], project_name),
        "seats": offer.get("seats"),
        "territory": [territory],
        "royalty": (
            {"percent": offer["royalty_percent"]} if offer.get("royalty_percent") else None
        ),
        "deliverables": [
            {"kind": d["kind"], "name": d["name"], "sha256": d["sha256"]} for d in deliverables
        ],
    }
    return {k: v for k, v in claims.items() if v is not None}


def renewed_claims(claims: dict, expires_at: datetime, now: datetime) -> dict:
    """The token's claims after a renewal: the new expiry, at the next revision."""
    return {
        **claims,
        "exp": int(expires_at.timestamp()),
        "iat": int(now.timestamp()),
        "revision": claims["revision"] + 1,
    }
