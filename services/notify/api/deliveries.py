"""/v1/deliveries: one notice to one endpoint or e-mail address, its attempts and replay."""

from __future__ import annotations

from services.notify import delivery_log
from services.notify.api.access import own_organisation, owner_or_admin
from services.notify.models import Delivery
from services.notify.schemas import (
    AttemptPage,
    AttemptQuery,
    DeliveryOut,
    DeliveryPage,
    DeliveryQuery,
)
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import requires
from shared.http.context import service_context

blp = Blueprint(
    "deliveries",
    __name__,
    url_prefix="/v1",
    description="Deliveries: each notice to each endpoint and e-mail address.",
)


@blp.route("/deliveries")
@requires(action="deliveries.read")
@blp.arguments(DeliveryQuery, location="query")
@blp.response(200, DeliveryPage)
def organisation_deliveries(query):
    """The organisation's deliveries, webhooks and e-mails, newest first."""
    with service_context().session_factory() as session:
        return delivery_log.deliveries_where(
            session, Delivery.organisation_id == own_organisation(), **query
        )


@blp.route("/deliveries/<delivery_id>")
@requires(action="deliveries.read")
@blp.response(200, DeliveryOut)
@problems(404)
def delivery(delivery_id):
    with service_context().session_factory() as session:
        return delivery_log.delivery_of(session, owner_or_admin(), delivery_id)


@blp.route("/deliveries/<delivery_id>/attempts")
@requires(action="deliveries.read")
@blp.arguments(AttemptQuery, location="query")
@blp.response(200, AttemptPage)
@problems(404)
def delivery_attempts(query, delivery_id):
    """Every attempt to send one delivery (webhook or e-mail), newest first."""
    with service_context().session_factory() as session:
        found = delivery_log.delivery_of(session, owner_or_admin(), delivery_id)
        return delivery_log.attempts_of(session, delivery=found, **query)


@blp.route("/deliveries/<delivery_id>/replay", methods=["POST"])
@requires(action="webhooks.manage")
@blp.response(202, DeliveryOut)
@problems(404, 409)
def replay_delivery(delivery_id):
    """Send one delivery again, with the same webhook-id / Message-ID."""
    with service_context().session_factory() as session, session.begin():
        return delivery_log.replay_delivery(session, owner_or_admin(), delivery_id)
