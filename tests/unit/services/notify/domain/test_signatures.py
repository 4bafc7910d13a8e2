"""Standard Webhooks signatures, checked with the independent `standardwebhooks` package (v1)
and with `cryptography` (v1a)."""

from __future__ import annotations

import base64
import time

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from standardwebhooks import Webhook, WebhookVerificationError

from services.notify.domain import signatures

BODY = b'{"data":{"licensee_id":"b"},"timestamp":"2026-11-24T10:00:00Z","type":"t"}'


def headers(webhook_id: str, timestamp: int, signature: str) -> dict:
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }


def test_secret_is_whsec_and_24_to_64_random_bytes():
    secret = signatures.new_secret()
    assert secret.startswith("whsec_")
    assert 24 <= len(base64.b64decode(secret[6:])) <= 64
    assert signatures.new_secret() != secret


def test_v1_signature_verifies_with_the_standardwebhooks_package():
    secret, now = signatures.new_secret(), int(time.time())
    signature = signatures.signature_header(
        webhook_id="evt-1", timestamp=now, body=BODY, secrets_=[secret], signing_key=None
    )
    assert signature.startswith("v1,")
    assert Webhook(secret).verify(BODY, headers("evt-1", now, signature))["type"] == "t"
    with pytest.raises(WebhookVerificationError):  # another body does not verify
        Webhook(secret).verify(BODY + b" ", headers("evt-1", now, signature))
    with pytest.raises(WebhookVerificationError):  # nor another secret
        Webhook(signatures.new_secret()).verify(BODY, headers("evt-1", now, signature))


def test_during_a_rotation_both_secrets_verify():
    old, new, now = signatures.new_secret(), signatures.new_secret(), int(time.time())
    signature = signatures.signature_header(
        webhook_id="evt-2", timestamp=now, body=BODY, secrets_=[new, old], signing_key=None
    )
    assert len(signature.split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(BODY, headers("evt-2", now, signature))


def test_v1a_is_ed25519_over_id_timestamp_body_verifiable_with_the_public_key():
    key, now = signatures.new_signing_key(), int(time.time())
    public = signatures.public_key_for(key)
    assert key.startswith("whsk_") and public.startswith("whpk_")
    signature = signatures.signature_header(
        webhook_id="evt-3", timestamp=now, body=BODY, secrets_=[], signing_key=key
    )
    version, value = signature.split(",")
    assert version == "v1a"
    verifier = Ed25519PublicKey.from_public_bytes(base64.b64decode(public[5:]))
    verifier.verify(base64.b64decode(value), f"evt-3.{now}.".encode() + BODY)
    with pytest.raises(InvalidSignature):
        verifier.verify(base64.b64decode(value), f"evt-3.{now + 1}.".encode() + BODY)
