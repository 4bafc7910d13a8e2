"""Webhook endpoints of an organisation: registration, changes, secrets and their rotation,
disabling. Use cases on a SQLAlchemy session; the caller commits. The rules are in `domain`
(webhooks, disabling); the deliveries to an endpoint are in `delivery_log`."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.notify.domain import signatures, webhooks
from services.notify.domain.disabling import stored_reason
from services.notify.domain.routing import NOTICE_TYPES, DeliveryState
from services.notify.domain.webhooks import OLD_SECRET_VALIDITY
from services.notify.models import Delivery, Endpoint, OutboxMessage
from services.notify.network_guard import check_url
from services.notify.notices import store_notice
from shared.db.schema import new_id, utcnow
from shared.errors import Invalid, NotFound
from shared.events import new_event
from shared.events.notify import WEBHOOK_ENDPOINT_DISABLED


def check_event_types(event_types: list[str]) -> None:
    for index, event_type in enumerate(event_types):
        if event_type not in NOTICE_TYPES:
            raise Invalid(f"unknown event type {event_type!r}", field=f"event_types.{index}")


def check_schemes(schemes: list[str]) -> None:
    if not webhooks.check_schemes(schemes):
        raise Invalid(
            "must be a non-empty list of v1 (HMAC-SHA256) and/or v1a (Ed25519)", field="schemes"
        )


def register_endpoint(
    session: Session,
    organisation_id: str,
    *,
    url: str,
    event_types: list[str],
    description: str = "",
    schemes: list[str] | None = None,
) -> Endpoint:
    schemes = schemes or ["v1"]
    check_url(url)
    check_event_types(event_types)
    check_schemes(schemes)
    endpoint = Endpoint(
        id=new_id(),
        organisation_id=organisation_id,
        url=url,
        event_types=list(event_types),
        description=description,
        schemes=list(schemes),
        secret=signatures.new_secret(),
        signing_key=signatures.new_signing_key() if "v1a" in schemes else None,
    )
    session.add(endpoint)
    return endpoint


def endpoints_of(session: Session, organisation_id: str) -> list[Endpoint]:
    return list(
        session.scalars(
            sa.select(Endpoint)
            .where(Endpoint.organisation_id == organisation_id)
            .order_by(Endpoint.created_at)
        )
    )


def endpoint_of(session: Session, organisation_id: str | None, endpoint_id: str) -> Endpoint:
    """The endpoint, if it belongs to `organisation_id` (None: an admin, any organisation)."""
    endpoint = session.get(Endpoint, endpoint_id)
    if endpoint is None or organisation_id not in (None, endpoint.organisation_id):
        raise NotFound(f"endpoint {endpoint_id} does not exist")
    return endpoint


def update_endpoint(
    session: Session,
    endpoint: Endpoint,
    *,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
    schemes: list[str] | None = None,
    enabled: bool | None = None,
) -> Endpoint:
    if url is not None:
        check_url(url)
    if event_types is not None:
        check_event_types(event_types)
    if schemes is not None:
        check_schemes(schemes)
    # Everything checked: now change.
    if url is not None:
        endpoint.url = url
    if event_types is not None:
        endpoint.event_types = list(event_types)
    if description is not None:
        endpoint.description = description
    if schemes is not None:
        endpoint.schemes = list(schemes)
        if "v1a" in schemes and endpoint.signing_key is None:
            endpoint.signing_key = signatures.new_signing_key()
    if enabled is True:
        endpoint.disabled_at = endpoint.disabled_reason = endpoint.failing_since = None
    elif enabled is False and endpoint.disabled_at is None:
        endpoint.disabled_at, endpoint.disabled_reason = utcnow(), "disabled by its organisation"
        _fail_pending(session, endpoint)
    return endpoint


def rotate_secret(endpoint: Endpoint, now: datetime | None = None) -> str:
    """A new secret (returned once); the old one stays valid, and is signed with, for 24 h."""
    now = now or utcnow()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + OLD_SECRET_VALIDITY
    endpoint.secret = signatures.new_secret()
    return endpoint.secret


def valid_secrets(endpoint: Endpoint, now: datetime) -> list[str]:
    return webhooks.valid_secrets(
        endpoint.schemes,
        endpoint.secret,
        endpoint.previous_secret,
        endpoint.previous_secret_expires_at,
        now,
    )


def public_key(endpoint: Endpoint) -> str:
    if not endpoint.signing_key or "v1a" not in endpoint.schemes:
        raise NotFound("this endpoint does not sign with Ed25519 (v1a)")
    return signatures.public_key_for(endpoint.signing_key)


def disable_endpoint(session: Session, endpoint: Endpoint, reason: str, now: datetime) -> None:
    """Stop delivering to `endpoint`, fail what is pending for it, tell its organisation (by
    email, and by an event on the outbox for anyone else interested)."""
    if endpoint.disabled_at is not None:
        return
    endpoint.disabled_at, endpoint.disabled_reason = now, stored_reason(reason)
    _fail_pending(session, endpoint)
    data = {
        "endpoint_id": endpoint.id,
        "organisation_id": endpoint.organisation_id,
        "url": endpoint.url,
        "reason": stored_reason(reason),
        "disabled_at": now.isoformat(),
    }
    event = new_event(
        WEBHOOK_ENDPOINT_DISABLED,
        source="/ipmarket/notify",
        subject=endpoint.organisation_id,
        data=data,
    )
    session.add(OutboxMessage.for_event("notify", event))
    session.flush()  # disabled now: the notice goes by email and to the other endpoints
    store_notice(
        session,
        event_id=event.id,
        event_type=event.type,
        occurred_at=event.time,
        data=event.data,
        organisation_ids={endpoint.organisation_id},
    )


def _fail_pending(session: Session, endpoint: Endpoint) -> None:
    # Failed, not forgotten: a replay after enabling the endpoint sends them.
    session.execute(
        sa.update(Delivery)
        .where(Delivery.endpoint_id == endpoint.id, Delivery.state == DeliveryState.PENDING.value)
        .values(state=DeliveryState.FAILED.value, last_error="endpoint disabled")
    )
