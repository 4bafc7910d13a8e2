"""What a webhook delivery sends (Standard Webhooks): the body, the headers and which secrets
sign it. The sending itself is `services.notify.delivery.webhook_sender`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from services.notify.domain import signatures

# Receivers verify with either secret while they switch over (the Svix default).
OLD_SECRET_VALIDITY = timedelta(hours=24)
SCHEMES = ("v1", "v1a")  # v1: HMAC-SHA256 with the secret; v1a: Ed25519 with the signing key
USER_AGENT = "ipmarket-webhooks/1"
# What "send a test event" sends: no domain event stands behind it, and it goes to the one
# endpoint asked for (whatever event types it takes), signed and logged like any delivery.
TEST_EVENT_TYPE = "ipmarket.webhook.test.v1"


def test_event_data(endpoint_id: str, organisation_id: str) -> dict:
    return {
        "endpoint_id": endpoint_id,
        "organisation_id": organisation_id,
        "message": "A test event sent on request: no action is needed.",
    }


def webhook_body(event_type: str, occurred_at: datetime, data: dict) -> bytes:
    """The payload: the event's type, timestamp and data, as compact sorted JSON."""
    timestamp = occurred_at.isoformat().replace("+00:00", "Z")
    return json.dumps(
        {"type": event_type, "timestamp": timestamp, "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def valid_secrets(
    schemes: list[str],
    secret: str,
    previous_secret: str | None,
    previous_expires_at: datetime | None,
    now: datetime,
) -> list[str]:
    """The secrets to sign `v1` with: the current one, and the previous one for a day after a
    rotation; none when the endpoint does not use `v1`."""
    if "v1" not in schemes:
        return []
    found = [secret]
    if previous_secret and previous_expires_at and previous_expires_at > now:
        found.append(previous_secret)
    return found


def webhook_headers(
    *, webhook_id: str, timestamp: int, body: bytes, secrets_: list[str], signing_key: str | None
) -> dict[str, str]:
    """The headers of one attempt; `webhook_id` is the delivery's message id (the same on every
    attempt, so a receiver can drop a repeat)."""
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures.signature_header(
            webhook_id=webhook_id,
            timestamp=timestamp,
            body=body,
            secrets_=secrets_,
            signing_key=signing_key,
        ),
    }


def check_schemes(schemes: list[str]) -> bool:
    """A non-empty list of known schemes, each once."""
    return (
        bool(schemes) and all(s in SCHEMES for s in schemes) and len(set(schemes)) == len(schemes)
    )
