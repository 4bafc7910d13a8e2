"""Events published by the notify service."""
from marshmallow import fields

from shared.events.registry import EventData, register


@register("ipmarket.webhook_endpoint.disabled.v1")
class WebhookEndpointDisabled(EventData):
    """An endpoint stopped receiving webhooks: it answered 410 Gone or failed for too long."""

    endpoint_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    url = fields.String(required=True)
    reason = fields.String(required=True)
    disabled_at = fields.AwareDateTime(required=True)
