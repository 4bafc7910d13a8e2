"""What the licensing routes share: the keyring, a change committed in a unit of work, a
page of rows with the cursor of the next, the Idempotency-Key header."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, request

from services.licensing.domain.money import Money
from services.licensing.signing import Keyring
from shared.directory import Principal
from shared.errors import Invalid
from shared.events.envelope import system_actor
from shared.http.context import service_context

V1 = "/v1"  # every business route; the old paths answer 308 (see api/__init__.py)
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": "Makes a retry safe: the same key and body answer what the first request made.",
}


def keyring() -> Keyring:
    return current_app.extensions["licensing.keyring"]


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def money(minor: int | None, currency: str | None) -> dict | None:
    return Money(minor, currency).as_dict() if currency else None


def committed(change, *args, **kwargs):
    """Run a use case in a unit of work and commit it. Its events name the principal it acts
    as (the Principal among `args`; none: a payment provider's callback, the platform's)."""
    principal = next((arg for arg in args if isinstance(arg, Principal)), None)
    actor = principal.actor if principal is not None else system_actor("licensing")
    with service_context().unit_of_work(actor) as uow:
        result = change(uow, *args, **kwargs)
        uow.commit()
    return result


def page(query, args, model) -> tuple[list, str | None]:
    """(rows, next): a page of `query` in id order after `args["cursor"]` (of one state, one
    vendor or licensee when `args` names it), and the cursor of the page after it (None: this
    was the last)."""
    if args.get("state"):
        query = query.where(model.state == args["state"])
    for party in ("vendor_id", "licensee_id"):
        if args.get(party):
            query = query.where(getattr(model, party) == args[party])
    if args.get("cursor"):
        query = query.where(model.id > args["cursor"])
    with service_context().session_factory() as session:
        rows = session.scalars(
            query.order_by(model.id).limit(args["limit"]).offset(args["offset"])
        ).all()
    return rows, (rows[-1].id if len(rows) == args["limit"] else None)


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= 200:
        raise Invalid("Idempotency-Key must be 1 to 200 characters", field="Idempotency-Key")
    return key
