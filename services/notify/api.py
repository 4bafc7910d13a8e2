"""HTTP API of the notify service. Handlers are thin: parse → call the domain → serialise."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response
from flask.views import MethodView

from services.notify import dead_letters as dead_letter_log
from services.notify import endpoints as endpoint_rules
from services.notify import metrics as metric_figures
from services.notify import subscriptions
from services.notify.models import Delivery
from services.notify.schemas import (
    AttemptOut,
    AttemptQuery,
    DeadLetterOut,
    DeadLetterQuery,
    EndpointCreated,
    EndpointIn,
    EndpointOut,
    EndpointPatch,
    MessageOut,
    MessageQuery,
    PreferenceIn,
    PreferencesOut,
    PublicKeyOut,
    ReplayIn,
    ReplayOut,
    SecretOut,
    WatchIn,
    WatchOut,
)
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint("notify", __name__, url_prefix="/v1",
                       description="Webhook endpoints, preferences, watches and dead letters.")
ops = Blueprint("operations", __name__, description="Metrics for operators.")


def _owner() -> str | None:
    """The caller's organisation; None for an admin, who may look at any organisation's."""
    principal = current_principal()
    return None if principal.is_admin else principal.organisation_id


# --- endpoints --------------------------------------------------------------------------------

@blp.route("/endpoints")
class Endpoints(MethodView):
    @requires()
    @blp.arguments(EndpointIn)
    @blp.response(201, EndpointCreated)
    def post(self, body):
        """Register a webhook endpoint; its secret is in this answer only."""
        with service_context().session_factory() as session, session.begin():
            return endpoint_rules.register_endpoint(
                session, current_principal().organisation_id, **body)

    @requires()
    @blp.response(200, EndpointOut(many=True))
    def get(self):
        """The caller's endpoints."""
        with service_context().session_factory() as session:
            return endpoint_rules.endpoints_of(session, current_principal().organisation_id)


@blp.route("/endpoints/<endpoint_id>")
class OneEndpoint(MethodView):
    @requires()
    @blp.response(200, EndpointOut)
    @problems(404)
    def get(self, endpoint_id):
        with service_context().session_factory() as session:
            return endpoint_rules.endpoint_of(session, _owner(), endpoint_id)

    @requires()
    @blp.arguments(EndpointPatch)
    @blp.response(200, EndpointOut)
    @problems(404)
    def patch(self, body, endpoint_id):
        """Change URL, event types, description or schemes; `enabled` re-enables or disables."""
        with service_context().session_factory() as session, session.begin():
            endpoint = endpoint_rules.endpoint_of(session, _owner(), endpoint_id)
            return endpoint_rules.update_endpoint(session, endpoint, **body)

    @requires()
    @blp.response(204)
    @problems(404)
    def delete(self, endpoint_id):
        with service_context().session_factory() as session, session.begin():
            session.delete(endpoint_rules.endpoint_of(session, _owner(), endpoint_id))


@blp.route("/endpoints/<endpoint_id>/secret/rotate", methods=["POST"])
@requires()
@blp.response(200, SecretOut)
@problems(404)
def rotate_secret(endpoint_id):
    """A new secret, shown once; the old one stays valid (and signed with) for 24 hours."""
    with service_context().session_factory() as session, session.begin():
        endpoint = endpoint_rules.endpoint_of(session, _owner(), endpoint_id)
        secret = endpoint_rules.rotate_secret(endpoint)
        return {"secret": secret,
                "previous_secret_expires_at": endpoint.previous_secret_expires_at}


@blp.route("/endpoints/<endpoint_id>/public-key")
@requires()
@blp.response(200, PublicKeyOut)
@problems(404)
def public_key(endpoint_id):
    """The Ed25519 public key (whpk_…) that verifies this endpoint's v1a signatures."""
    with service_context().session_factory() as session:
        endpoint = endpoint_rules.endpoint_of(session, _owner(), endpoint_id)
        return {"public_key": endpoint_rules.public_key(endpoint)}


@blp.route("/endpoints/<endpoint_id>/attempts")
@requires()
@blp.arguments(AttemptQuery, location="query")
@blp.response(200, AttemptOut(many=True))
@problems(404)
def attempts(query, endpoint_id):
    """Every delivery attempt to the endpoint, newest first."""
    with service_context().session_factory() as session:
        endpoint = endpoint_rules.endpoint_of(session, _owner(), endpoint_id)
        return endpoint_rules.attempts_of(session, endpoint=endpoint, **query)


@blp.route("/endpoints/<endpoint_id>/messages")
@requires()
@blp.arguments(MessageQuery, location="query")
@blp.response(200, MessageOut(many=True))
@problems(404)
def messages(query, endpoint_id):
    """The endpoint's messages (one per event), newest first."""
    with service_context().session_factory() as session:
        endpoint = endpoint_rules.endpoint_of(session, _owner(), endpoint_id)
        return _messages(session, query, Delivery.endpoint_id == endpoint.id)


@blp.route("/messages")
@requires()
@blp.arguments(MessageQuery, location="query")
@blp.response(200, MessageOut(many=True))
def organisation_messages(query):
    """The organisation's messages, webhooks and emails, newest first."""
    with service_context().session_factory() as session:
        return _messages(session, query,
                         Delivery.organisation_id == current_principal().organisation_id)


def _messages(session, query: dict, whose) -> list[Delivery]:
    select = (sa.select(Delivery).where(whose).order_by(Delivery.created_at.desc())
              .limit(query["limit"]))
    for name in ("state", "channel"):
        if name in query:
            select = select.where(getattr(Delivery, name) == query[name])
    return session.scalars(select).all()


@blp.route("/messages/<message_id>/attempts")
@requires()
@blp.arguments(AttemptQuery, location="query")
@blp.response(200, AttemptOut(many=True))
@problems(404)
def message_attempts(query, message_id):
    """Every attempt to send one message (webhook or email), newest first."""
    with service_context().session_factory() as session:
        delivery = endpoint_rules.message_of(session, _owner(), message_id)
        return endpoint_rules.attempts_of(session, delivery=delivery, **query)


@blp.route("/endpoints/<endpoint_id>/replay", methods=["POST"])
@requires()
@blp.arguments(ReplayIn)
@blp.response(202, ReplayOut)
@problems(404, 409)
def replay_endpoint(body, endpoint_id):
    """Deliver again every failed message of the endpoint created since `since`."""
    with service_context().session_factory() as session, session.begin():
        endpoint = endpoint_rules.endpoint_of(session, _owner(), endpoint_id)
        return {"replayed": endpoint_rules.replay_failed(session, endpoint, body["since"])}


@blp.route("/messages/<message_id>/replay", methods=["POST"])
@requires()
@blp.response(202, MessageOut)
@problems(404, 409)
def replay_message(message_id):
    """Deliver one message (webhook or email) again, with the same webhook-id / Message-ID."""
    with service_context().session_factory() as session, session.begin():
        return endpoint_rules.replay_delivery(session, _owner(), message_id)


# --- preferences and watches ------------------------------------------------------------------

@blp.route("/preferences")
@requires()
@blp.response(200, PreferencesOut)
def preferences():
    """Per event type: whether the organisation gets it by email and by webhook."""
    with service_context().session_factory() as session:
        return subscriptions.preferences_of(session, current_principal().organisation_id)


@blp.route("/preferences/<event_type>", methods=["PUT"])
@requires()
@blp.arguments(PreferenceIn)
@blp.response(200, PreferenceIn)
@problems(404)
def set_preference(body, event_type):
    with service_context().session_factory() as session, session.begin():
        subscriptions.set_preference(session, current_principal().organisation_id, event_type,
                                     **body)
    return body


@blp.route("/watches")
class Watches(MethodView):
    @requires("licensee")
    @blp.arguments(WatchIn)
    @blp.response(201, WatchOut)
    @problems(409)
    def post(self, body):
        """Follow a core (every version of it) or a vendor."""
        with service_context().session_factory() as session, session.begin():
            return subscriptions.watch(session, current_principal().organisation_id, **body)

    @requires("licensee")
    @blp.response(200, WatchOut(many=True))
    def get(self):
        with service_context().session_factory() as session:
            return subscriptions.watches_of(session, current_principal().organisation_id)


@blp.route("/watches/<watch_id>", methods=["DELETE"])
@requires("licensee")
@blp.response(204)
@problems(404)
def unwatch(watch_id):
    with service_context().session_factory() as session, session.begin():
        subscriptions.unwatch(session, current_principal().organisation_id, watch_id)


# --- operations -------------------------------------------------------------------------------

@blp.route("/admin/dead-letters")
@requires("admin")
@blp.arguments(DeadLetterQuery, location="query")
@blp.response(200, DeadLetterOut(many=True))
def dead_letters(query):
    """Messages a consumer could not handle, newest first (`before`: page by id)."""
    with service_context().session_factory() as session:
        return dead_letter_log.dead_letters(session, limit=query["limit"],
                                            before_id=query.get("before"))


@ops.route("/metrics")
@requires("admin")
@ops.response(200, {"type": "string"}, content_type=metric_figures.CONTENT_TYPE,
              description="Prometheus text format.")
def metrics():
    """Prometheus text format: deliveries by state, endpoints, dead letters, consumer lag."""
    try:
        lag = metric_figures.consumer_lag()
    except Exception:  # noqa: BLE001 - the broker being down is itself a figure
        lag = None
    with service_context().session_factory() as session:
        text = metric_figures.render(session, lag)
    return Response(text, content_type=metric_figures.CONTENT_TYPE)


blueprints: list = [blp, ops]
