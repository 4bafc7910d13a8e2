"""Webhook endpoints of an organisation: registration, secrets, disabling, replay.

Plain domain code on a SQLAlchemy session; the caller commits.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.notify import signatures
from services.notify.models import Attempt, Delivery, Endpoint, OutboxMessage
from services.notify.network_guard import check_url
from services.notify.notices import NOTICE_TYPES, notify
from shared.db.schema import new_id, utcnow
from shared.errors import Conflict, Invalid, NotFound
from shared.events import new_event

# Receivers verify with either secret while they switch over (the Svix default).
OLD_SECRET_VALIDITY = timedelta(hours=24)
SCHEMES = ("v1", "v1a")


def check_event_types(event_types: list[str]) -> None:
    for index, event_type in enumerate(event_types):
        if event_type not in NOTICE_TYPES:
            raise Invalid(f"unknown event type {event_type!r}", field=f"event_types.{index}")


def check_schemes(schemes: list[str]) -> None:
    if not schemes or any(s not in SCHEMES for s in schemes) or len(set(schemes)) != len(schemes):
        raise Invalid("must be a non-empty list of v1 (HMAC-SHA256) and/or v1a (Ed25519)",
                      field="schemes")


def register_endpoint(session: Session, organisation_id: str, *, url: str,
                      event_types: list[str], description: str = "",
                      schemes: list[str] | None = None) -> Endpoint:
    schemes = schemes or ["v1"]
    check_url(url)
    check_event_types(event_types)
    check_schemes(schemes)
    endpoint = Endpoint(id=new_id(), organisation_id=organisation_id, url=url,
                        event_types=list(event_types), description=description,
                        schemes=list(schemes), secret=signatures.new_secret(),
                        signing_key=signatures.new_signing_key() if "v1a" in schemes else None)
    session.add(endpoint)
    return endpoint


def endpoints_of(session: Session, organisation_id: str) -> list[Endpoint]:
    return list(session.scalars(sa.select(Endpoint).where(
        Endpoint.organisation_id == organisation_id).order_by(Endpoint.created_at)))


def endpoint_of(session: Session, organisation_id: str | None, endpoint_id: str) -> Endpoint:
    """The endpoint, if it belongs to `organisation_id` (None: an admin, any organisation)."""
    endpoint = session.get(Endpoint, endpoint_id)
    if endpoint is None or organisation_id not in (None, endpoint.organisation_id):
        raise NotFound(f"endpoint {endpoint_id} does not exist")
    return endpoint


def update_endpoint(session: Session, endpoint: Endpoint, *, url: str | None = None,
                    event_types: list[str] | None = None, description: str | None = None,
                    schemes: list[str] | None = None, enabled: bool | None = None) -> Endpoint:
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
    if "v1" not in endpoint.schemes:
        return []
    secrets_ = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and \
            endpoint.previous_secret_expires_at > now:
        secrets_.append(endpoint.previous_secret)
    return secrets_


def public_key(endpoint: Endpoint) -> str:
    if not endpoint.signing_key or "v1a" not in endpoint.schemes:
        raise NotFound("this endpoint does not sign with Ed25519 (v1a)")
    return signatures.public_key_for(endpoint.signing_key)


def disable_endpoint(session: Session, endpoint: Endpoint, reason: str, now: datetime) -> None:
    """Stop delivering to `endpoint`, fail what is pending for it, tell its organisation (by
    email, and by an event on the outbox for anyone else interested)."""
    if endpoint.disabled_at is not None:
        return
    endpoint.disabled_at, endpoint.disabled_reason = now, reason[:200]
    _fail_pending(session, endpoint)
    data = {"endpoint_id": endpoint.id, "organisation_id": endpoint.organisation_id,
            "url": endpoint.url, "reason": reason[:200], "disabled_at": now.isoformat()}
    event = new_event("ipmarket.webhook_endpoint.disabled.v1", source="/ipmarket/notify",
                      subject=endpoint.organisation_id, data=data)
    session.add(OutboxMessage.for_event("notify", event))
    session.flush()  # disabled now: the notice goes by email and to the other endpoints
    notify(session, event_id=event.id, event_type=event.type, occurred_at=event.time,
           data=event.data, organisation_ids={endpoint.organisation_id})


def _fail_pending(session: Session, endpoint: Endpoint) -> None:
    # Failed, not forgotten: a replay after enabling the endpoint sends them.
    session.execute(sa.update(Delivery)
                    .where(Delivery.endpoint_id == endpoint.id, Delivery.state == "pending")
                    .values(state="failed", last_error="endpoint disabled"))


def message_of(session: Session, organisation_id: str | None, delivery_id: str) -> Delivery:
    """One message (delivery) of `organisation_id` (None: an admin, any organisation)."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or organisation_id not in (None, delivery.organisation_id):
        raise NotFound(f"message {delivery_id} does not exist")
    return delivery


def replay_delivery(session: Session, organisation_id: str | None, delivery_id: str) -> Delivery:
    delivery = message_of(session, organisation_id, delivery_id)
    if delivery.endpoint_id is not None:
        endpoint = session.get(Endpoint, delivery.endpoint_id)
        if endpoint.disabled_at is not None:
            raise Conflict("the endpoint is disabled; enable it before replaying")
    _schedule_again(delivery)
    return delivery


def replay_failed(session: Session, endpoint: Endpoint, since: datetime) -> int:
    """Deliver again every failed message of `endpoint` created since `since`."""
    if endpoint.disabled_at is not None:
        raise Conflict("the endpoint is disabled; enable it before replaying")
    deliveries = session.scalars(sa.select(Delivery).where(
        Delivery.endpoint_id == endpoint.id, Delivery.state == "failed",
        Delivery.created_at >= since)).all()
    for delivery in deliveries:
        _schedule_again(delivery)
    return len(deliveries)


def _schedule_again(delivery: Delivery) -> None:
    # The same webhook-id / Message-ID: a receiver recognises the replay as the same message.
    delivery.state, delivery.attempts, delivery.next_attempt_at = "pending", 0, utcnow()
    delivery.last_error = None


def attempts_of(session: Session, *, endpoint: Endpoint | None = None,
                delivery: Delivery | None = None, since: datetime | None = None,
                limit: int = 100) -> list[tuple[Attempt, Delivery]]:
    """Attempts to one endpoint or of one message, newest first."""
    query = (sa.select(Attempt, Delivery).join(Delivery, Attempt.delivery_id == Delivery.id)
             .order_by(Attempt.attempted_at.desc(), Attempt.id.desc()).limit(limit))
    if endpoint is not None:
        query = query.where(Delivery.endpoint_id == endpoint.id)
    if delivery is not None:
        query = query.where(Delivery.id == delivery.id)
    if since is not None:
        query = query.where(Attempt.attempted_at >= since)
    return [tuple(row) for row in session.execute(query)]
