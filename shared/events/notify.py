"""Events published by the notify service."""

from marshmallow import fields, validate

from shared import bounds
from shared.events.catalog import ID
from shared.events.registry import EventData, register

WEBHOOK_ENDPOINT_DISABLED = "ipmarket.webhook_endpoint.disabled.v1"


@register(WEBHOOK_ENDPOINT_DISABLED)
class WebhookEndpointDisabled(EventData):
    """An endpoint stopped receiving webhooks: it answered 410 Gone or failed for too long."""

    endpoint_id = fields.String(required=True, validate=ID)
    organisation_id = fields.String(required=True, validate=ID)
    url = fields.String(required=True, validate=validate.Length(min=1, max=bounds.MAX_URL))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))
    disabled_at = fields.AwareDateTime(required=True)
