"""/v1/endpoints: an organisation's webhook endpoints, their secrets, deliveries and attempts."""

from __future__ import annotations

from flask.views import MethodView

from services.notify import delivery_log, webhook_endpoints
from services.notify.api.access import own_organisation, owner_or_admin
from services.notify.listing import whole
from services.notify.models import Delivery
from services.notify.schemas import (
    AttemptPage,
    AttemptQuery,
    DeliveryOut,
    DeliveryPage,
    DeliveryQuery,
    EndpointCreated,
    EndpointIn,
    EndpointOut,
    EndpointPage,
    EndpointPatch,
    PublicKeyOut,
    ReplayIn,
    ReplayOut,
    SecretOut,
)
from shared.db.schema import utcnow
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import requires
from shared.http.context import service_context

blp = Blueprint(
    "endpoints",
    __name__,
    url_prefix="/v1",
    description="Webhook endpoints: registration, secrets, deliveries, attempts.",
)


@blp.route("/endpoints")
class Endpoints(MethodView):
    @requires(action="webhooks.manage")
    @blp.arguments(EndpointIn)
    @blp.response(201, EndpointCreated)
    def post(self, body):
        """Register a webhook endpoint; its secret is in this answer only."""
        with service_context().session_factory() as session, session.begin():
            return webhook_endpoints.register_endpoint(session, own_organisation(), **body)

    @requires(action="webhooks.read")
    @blp.response(200, EndpointPage)
    def get(self):
        """The caller's endpoints, oldest first, in one page."""
        with service_context().session_factory() as session:
            return whole(webhook_endpoints.endpoints_of(session, own_organisation()))


@blp.route("/endpoints/<endpoint_id>")
class OneEndpoint(MethodView):
    @requires(action="webhooks.read")
    @blp.response(200, EndpointOut)
    @problems(404)
    def get(self, endpoint_id):
        with service_context().session_factory() as session:
            return webhook_endpoints.endpoint_of(session, owner_or_admin(), endpoint_id)

    @requires(action="webhooks.manage")
    @blp.arguments(EndpointPatch)
    @blp.response(200, EndpointOut)
    @problems(404)
    def patch(self, body, endpoint_id):
        """Change URL, event types, description or schemes; `enabled` re-enables or disables."""
        with service_context().session_factory() as session, session.begin():
            endpoint = webhook_endpoints.endpoint_of(session, owner_or_admin(), endpoint_id)
            return webhook_endpoints.update_endpoint(session, endpoint, **body)

    @requires(action="webhooks.manage")
    @blp.response(204)
    @problems(404)
    def delete(self, endpoint_id):
        with service_context().session_factory() as session, session.begin():
            session.delete(webhook_endpoints.endpoint_of(session, owner_or_admin(), endpoint_id))


@blp.route("/endpoints/<endpoint_id>/secret/rotate", methods=["POST"])
@requires(action="webhooks.manage")
@blp.response(200, SecretOut)
@problems(404)
def rotate_secret(endpoint_id):
    """A new secret, shown once; the old one stays valid (and signed with) for 24 hours."""
    with service_context().session_factory() as session, session.begin():
        endpoint = webhook_endpoints.endpoint_of(session, owner_or_admin(), endpoint_id)
        secret = webhook_endpoints.rotate_secret(endpoint)
        return {"secret": secret, "previous_secret_expires_at": endpoint.previous_secret_expires_at}


@blp.route("/endpoints/<endpoint_id>/public-key")
@requires(action="webhooks.read")
@blp.response(200, PublicKeyOut)
@problems(404)
def public_key(endpoint_id):
    """The Ed25519 public key (whpk_…) that verifies this endpoint's v1a signatures."""
    with service_context().session_factory() as session:
        endpoint = webhook_endpoints.endpoint_of(session, owner_or_admin(), endpoint_id)
        return {"public_key": webhook_endpoints.public_key(endpoint)}


@blp.route("/endpoints/<endpoint_id>/attempts")
@requires(action="webhooks.read")
@blp.arguments(AttemptQuery, location="query")
@blp.response(200, AttemptPage)
@problems(404)
def endpoint_attempts(query, endpoint_id):
    """Every attempt to send to the endpoint, newest first."""
    with service_context().session_factory() as session:
        endpoint = webhook_endpoints.endpoint_of(session, owner_or_admin(), endpoint_id)
        return delivery_log.attempts_of(session, endpoint=endpoint, **query)


@blp.route("/endpoints/<endpoint_id>/deliveries")
@requires(action="webhooks.read")
@blp.arguments(DeliveryQuery, location="query")
@blp.response(200, DeliveryPage)
@problems(404)
def endpoint_deliveries(query, endpoint_id):
    """The endpoint's deliveries (one per event), newest first."""
    with service_context().session_factory() as session:
        endpoint = webhook_endpoints.endpoint_of(session, owner_or_admin(), endpoint_id)
        return delivery_log.deliveries_where(session, Delivery.endpoint_id == endpoint.id, **query)


@blp.route("/endpoints/<endpoint_id>/replay", methods=["POST"])
@requires(action="webhooks.manage")
@blp.arguments(ReplayIn)
@blp.response(202, ReplayOut)
@problems(404, 409)
def replay_endpoint(body, endpoint_id):
    """Deliver again every failed delivery to the endpoint created since `since`."""
    with service_context().session_factory() as session, session.begin():
        endpoint = webhook_endpoints.endpoint_of(session, owner_or_admin(), endpoint_id)
        return {"replayed": delivery_log.replay_failed(session, endpoint, body["since"])}


@blp.route("/endpoints/<endpoint_id>/test", methods=["POST"])
@requires(action="webhooks.manage")
@blp.response(202, DeliveryOut)
@problems(404, 409)
def send_test_event(endpoint_id):
    """Queue an `ipmarket.webhook.test.v1` event to this endpoint alone: signed, retried and
    logged like any delivery (its attempts show in the delivery log)."""
    with service_context().session_factory() as session:
        with session.begin():
            endpoint = webhook_endpoints.endpoint_of(session, owner_or_admin(), endpoint_id)
            delivery_id = delivery_log.queue_test_event(session, endpoint, utcnow())
        return delivery_log.delivery_of(session, None, delivery_id)
