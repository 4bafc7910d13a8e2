"""The delivery log of an organisation: its deliveries, each one's attempts, and replays (a
delivery sent again with the same webhook-id / Message-ID). Use cases on a SQLAlchemy session;
the caller commits."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.notify.domain.routing import DeliveryState
from services.notify.listing import newest_first, page
from services.notify.models import Attempt, Delivery, Endpoint
from shared.db.schema import utcnow
from shared.errors import Conflict, NotFound


def delivery_of(session: Session, organisation_id: str | None, delivery_id: str) -> Delivery:
    """One delivery of `organisation_id` (None: an admin, any organisation)."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or organisation_id not in (None, delivery.organisation_id):
        raise NotFound(f"delivery {delivery_id} does not exist")
    return delivery


def replay_delivery(session: Session, organisation_id: str | None, delivery_id: str) -> Delivery:
    delivery = delivery_of(session, organisation_id, delivery_id)
    if delivery.endpoint_id is not None:
        endpoint = session.get(Endpoint, delivery.endpoint_id)
        if endpoint.disabled_at is not None:
            raise Conflict("the endpoint is disabled; enable it before replaying")
    _schedule_again(delivery)
    return delivery


def replay_failed(session: Session, endpoint: Endpoint, since: datetime) -> int:
    """Deliver again every failed delivery to `endpoint` created since `since`."""
    if endpoint.disabled_at is not None:
        raise Conflict("the endpoint is disabled; enable it before replaying")
    deliveries = session.scalars(
        sa.select(Delivery).where(
            Delivery.endpoint_id == endpoint.id,
            Delivery.state == DeliveryState.FAILED.value,
            Delivery.created_at >= since,
        )
    ).all()
    for delivery in deliveries:
        _schedule_again(delivery)
    return len(deliveries)


def _schedule_again(delivery: Delivery) -> None:
    # The same webhook-id / Message-ID: a receiver recognises the replay as the same message.
    delivery.state, delivery.attempts = DeliveryState.PENDING.value, 0
    delivery.next_attempt_at = utcnow()
    delivery.last_error = None


def attempts_of(
    session: Session,
    *,
    endpoint: Endpoint | None = None,
    delivery: Delivery | None = None,
    since: datetime | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> dict:
    """A page of the attempts to one endpoint or of one delivery, newest first: (attempt,
    delivery) pairs."""
    query = newest_first(
        sa.select(Attempt, Delivery).join(Delivery, Attempt.delivery_id == Delivery.id),
        Attempt.attempted_at,
        Attempt.id,
        cursor,
        limit,
    )
    if endpoint is not None:
        query = query.where(Delivery.endpoint_id == endpoint.id)
    if delivery is not None:
        query = query.where(Delivery.id == delivery.id)
    if since is not None:
        query = query.where(Attempt.attempted_at >= since)
    return page(
        [tuple(row) for row in session.execute(query)],
        limit,
        lambda pair: (pair[0].attempted_at, pair[0].id),
    )


def deliveries_where(
    session: Session,
    whose,
    *,
    limit: int = 100,
    cursor: str | None = None,
    state: str | None = None,
    channel: str | None = None,
) -> dict:
    """A page of the deliveries `whose` selects, newest first, of one state or channel."""
    query = sa.select(Delivery).where(whose)
    if state is not None:
        query = query.where(Delivery.state == state)
    if channel is not None:
        query = query.where(Delivery.channel == channel)
    query = newest_first(query, Delivery.created_at, Delivery.id, cursor, limit)
    return page(
        list(session.scalars(query)), limit, lambda delivery: (delivery.created_at, delivery.id)
    )
