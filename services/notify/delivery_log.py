"""The delivery log of an organisation: its deliveries, each one's attempts, and replays (a
delivery sent again with the same webhook-id / Message-ID). Use cases on a SQLAlchemy session;
the caller commits."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.notify.domain.routing import DeliveryState, endpoint_delivery
from services.notify.domain.webhooks import TEST_EVENT_TYPE, test_event_data
from services.notify.listing import newest_first, page
from services.notify.models import Attempt, Delivery, Endpoint, Notice
from shared.db.schema import new_id, utcnow
from shared.db.session import insert_at_commit
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


def queue_test_event(session: Session, endpoint: Endpoint, now: datetime) -> str:
    """A test notice and its one pending delivery to `endpoint`, written at commit as the
    consumer writes any other (the workers send, sign, retry and log it); its delivery id."""
    if endpoint.disabled_at is not None:
        raise Conflict("the endpoint is disabled; enable it before testing it")
    event_id = new_id()
    insert_at_commit(
        session,
        Notice.__table__,
        {
            "event_id": event_id,
            "event_type": TEST_EVENT_TYPE,
            "occurred_at": now,
            "data": test_event_data(endpoint.id, endpoint.organisation_id),
        },
    )
    delivery = endpoint_delivery(event_id, endpoint.organisation_id, endpoint.id, now)
    insert_at_commit(session, Delivery.__table__, delivery)
    return delivery["id"]


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
