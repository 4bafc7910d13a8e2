"""What a webhook sends (services/notify/domain/webhooks.py), checked against the independent
`standardwebhooks` package."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from standardwebhooks import Webhook

from services.notify.domain import signatures, webhooks

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


def test_the_body_is_compact_sorted_json_with_a_z_timestamp():
    body = webhooks.webhook_body("ipmarket.license.issued.v1", NOW, {"b": 1, "a": "芯"})
    assert (
        body
        == (
            '{"data":{"a":"芯","b":1},"timestamp":"2026-12-02T06:00:00Z",'
            '"type":"ipmarket.license.issued.v1"}'
        ).encode()
    )
    assert json.loads(body)["data"] == {"a": "芯", "b": 1}


def test_headers_carry_the_message_id_and_a_signature_a_receiver_accepts():
    secret = signatures.new_secret()
    body = webhooks.webhook_body("t", NOW, {})
    timestamp = int(time.time())  # the receiver checks it against its own clock
    headers = webhooks.webhook_headers(
        webhook_id="evt-1", timestamp=timestamp, body=body, secrets_=[secret], signing_key=None
    )
    assert headers["webhook-id"] == "evt-1"
    assert headers["webhook-timestamp"] == str(timestamp)
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == webhooks.USER_AGENT
    assert Webhook(secret).verify(body, headers) == {
        "data": {},
        "timestamp": "2026-12-02T06:00:00Z",
        "type": "t",
    }


def test_only_v1_endpoints_are_signed_with_secrets():
    assert webhooks.valid_secrets(["v1a"], "s", None, None, NOW) == []
    assert webhooks.valid_secrets(["v1"], "s", None, None, NOW) == ["s"]


def test_the_previous_secret_signs_too_until_it_expires():
    later = NOW + timedelta(hours=1)
    assert webhooks.valid_secrets(["v1"], "new", "old", later, NOW) == ["new", "old"]
    assert webhooks.valid_secrets(["v1"], "new", "old", NOW, NOW) == ["new"]
    assert webhooks.valid_secrets(["v1"], "new", "old", None, NOW) == ["new"]


def test_schemes_must_be_known_and_each_once():
    assert webhooks.check_schemes(["v1"]) and webhooks.check_schemes(["v1", "v1a"])
    assert not webhooks.check_schemes([])
    assert not webhooks.check_schemes(["v2"])
    assert not webhooks.check_schemes(["v1", "v1"])


def test_an_old_secret_stays_valid_for_a_day():
    assert webhooks.OLD_SECRET_VALIDITY == timedelta(hours=24)
