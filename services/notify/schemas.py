"""Request and response schemas of the notify API (marshmallow; unknown fields are refused)."""

from __future__ import annotations

from marshmallow import RAISE, fields, validate

from services.notify import subscriptions, webhook_endpoints
from services.notify.domain.routing import NOTICE_TYPES, Channel, DeliveryState
from services.notify.domain.webhooks import SCHEMES
from shared.bounds import Schema
from shared.http.api_docs import StrictBoolean

_H = "[0-9A-Fa-f]{1,4}"
IPV6 = "|".join(
    [  # the address forms Python's ipaddress reads (no embedded IPv4, no zone)
        f"({_H}:){{7}}{_H}",
        f"({_H}:){{1,7}}:",
        f"({_H}:){{1,6}}:{_H}",
        f"({_H}:){{1,5}}(:{_H}){{1,2}}",
        f"({_H}:){{1,4}}(:{_H}){{1,3}}",
        f"({_H}:){{1,3}}(:{_H}){{1,4}}",
        f"({_H}:){{1,2}}(:{_H}){{1,5}}",
        f"{_H}:(:{_H}){{1,6}}",
        f":((:{_H}){{1,7}}|:)",
    ]
)
# What network_guard.check_url takes for a URL (whether its host resolves, and where to, is the
# world's state rather than the request's).
WEBHOOK_URL = validate.Regexp(
    r"^https?://([A-Za-z0-9._~-]+|\[(" + IPV6 + r")\])"
    r"(:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
    r"([/?#][^\s]*)?$",
    error="must be an absolute http:// or https:// URL",
)


class Strict(Schema):
    class Meta:
        unknown = RAISE


# --- schemas ----------------------------------------------------------------------------------


class EndpointIn(Strict):
    url = fields.String(required=True, validate=[validate.Length(min=1, max=2000), WEBHOOK_URL])
    event_types = fields.List(
        fields.String(validate=validate.OneOf(NOTICE_TYPES)),
        load_default=list,
        validate=validate.Length(max=100),
    )
    description = fields.String(load_default="", validate=validate.Length(max=500))
    schemes = fields.List(
        fields.String(validate=validate.OneOf(SCHEMES)),
        load_default=lambda: ["v1"],
        validate=validate.Length(min=1, max=2),
        metadata={"uniqueItems": True},
    )


class EndpointPatch(Strict):
    url = fields.String(validate=[validate.Length(min=1, max=2000), WEBHOOK_URL])
    event_types = fields.List(
        fields.String(validate=validate.OneOf(NOTICE_TYPES)), validate=validate.Length(max=100)
    )
    description = fields.String(validate=validate.Length(max=500))
    schemes = fields.List(
        fields.String(validate=validate.OneOf(SCHEMES)),
        validate=validate.Length(min=1, max=2),
        metadata={"uniqueItems": True},
    )
    enabled = StrictBoolean()


class EndpointOut(Schema):
    id = fields.String()
    organisation_id = fields.String()
    url = fields.String()
    description = fields.String()
    event_types = fields.List(fields.String())
    schemes = fields.List(fields.String())
    created_at = fields.DateTime()
    failing_since = fields.DateTime(allow_none=True)
    disabled_at = fields.DateTime(allow_none=True)
    disabled_reason = fields.String(allow_none=True)
    previous_secret_expires_at = fields.DateTime(allow_none=True)


class EndpointCreated(EndpointOut):
    secret = fields.String(metadata={"description": "whsec_…; shown this once"})
    public_key = fields.Function(
        lambda e: webhook_endpoints.public_key(e) if e.signing_key else None,
        metadata={"description": "whpk_…, when the endpoint signs with Ed25519 (v1a)"},
    )


class SecretOut(Schema):
    secret = fields.String()
    previous_secret_expires_at = fields.DateTime()


class PublicKeyOut(Schema):
    public_key = fields.String()


CURSOR = fields.String(
    validate=validate.Length(min=1, max=200),
    metadata={"description": "the `next` of the page before"},
)
STATES = [state.value for state in DeliveryState]
CHANNELS = [channel.value for channel in Channel]


def page_of(item_schema: type[Schema], name: str) -> type[Schema]:
    """{"items": [...], "next": the cursor of the next page, or null on the last}."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "next": fields.String(
                required=True,
                allow_none=True,
                metadata={
                    "description": "pass as `cursor` for the next page; null on the last page"
                },
            ),
        },
        name=name,
    )


class AttemptQuery(Strict):
    since = fields.AwareDateTime()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    cursor = CURSOR


class AttemptOut(Schema):
    """One try at sending a delivery. `message_id` is the webhook-id / Message-ID header the
    receiver saw: the same on every attempt of the delivery."""

    id = fields.Function(lambda pair: pair[0].id)
    delivery_id = fields.Function(lambda pair: pair[1].id)
    message_id = fields.Function(lambda pair: pair[1].message_id)
    attempted_at = fields.Function(lambda pair: pair[0].attempted_at.isoformat())
    succeeded = fields.Function(
        lambda pair: pair[0].succeeded,
        metadata={"description": "null: sent, outcome never recorded"},
    )
    status_code = fields.Function(lambda pair: pair[0].status_code)
    latency_ms = fields.Function(lambda pair: pair[0].latency_ms)
    response = fields.Function(lambda pair: pair[0].response)
    error = fields.Function(lambda pair: pair[0].error)


class DeliveryQuery(Strict):
    state = fields.String(validate=validate.OneOf(STATES))
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    cursor = CURSOR


class DeliveryOut(Schema):
    """One notice (of the event `event_id`) to one endpoint or e-mail address."""

    id = fields.String()
    notice_id = fields.String(data_key="event_id")
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    endpoint_id = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    message_id = fields.String(metadata={"description": "the webhook-id / Message-ID header"})
    state = fields.String(validate=validate.OneOf(STATES))
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime()
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)


class ReplayIn(Strict):
    since = fields.AwareDateTime(required=True)


class ReplayOut(Schema):
    replayed = fields.Integer()


class PreferenceIn(Strict):
    email = StrictBoolean(required=True)
    webhook = StrictBoolean(required=True)


class _ByKey(Schema):
    """Reads each field by its key as it is: event types have dots, which marshmallow would
    take for a path."""

    def get_attribute(self, obj, attr, default):
        return obj.get(attr, default)


# Per notice type, the channels the organisation gets it by.
PreferencesOut = _ByKey.from_dict(
    {notice_type: fields.Nested(PreferenceIn, required=True) for notice_type in NOTICE_TYPES},
    name="Preferences",
)


class WatchIn(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(subscriptions.WATCH_KINDS))
    target_id = fields.String(required=True, validate=validate.Length(min=1, max=36))


class WatchOut(Schema):
    id = fields.String()
    kind = fields.String()
    target_id = fields.String()
    created_at = fields.DateTime()


class DeadLetterQuery(Strict):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    cursor = CURSOR


class DeadLetterOut(Schema):
    id = fields.Integer()
    topic = fields.String()
    partition = fields.Integer()
    offset = fields.Integer()
    source_topic = fields.String(allow_none=True)
    source_partition = fields.Integer(allow_none=True)
    source_offset = fields.Integer(allow_none=True)
    consumer_group = fields.String(allow_none=True)
    reason = fields.String()
    key = fields.String(allow_none=True, metadata={"description": "base64"})
    value = fields.String(metadata={"description": "the original bytes, base64"})
    received_at = fields.DateTime()


EndpointPage = page_of(EndpointOut, "EndpointPage")
DeliveryPage = page_of(DeliveryOut, "DeliveryPage")
AttemptPage = page_of(AttemptOut, "AttemptPage")
WatchPage = page_of(WatchOut, "WatchPage")
DeadLetterPage = page_of(DeadLetterOut, "DeadLetterPage")
