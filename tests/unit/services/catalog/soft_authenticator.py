"""A software WebAuthn authenticator (the `soft-webauthn` idea, with cryptography and cbor2):
it answers the server's registration and authentication options the way a browser and a
platform authenticator would (ES256 key, "none" attestation, user present and verified), so
that the server's ceremony is tested against real signatures. Its answers can be kept and
replayed, or altered, to test refusals."""

from __future__ import annotations

import base64
import hashlib
import json
import os

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

USER_PRESENT, USER_VERIFIED, ATTESTED_CREDENTIAL = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class SoftAuthenticator:
    def __init__(self, origin: str):
        self.origin = origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.sign_count = 0
        self.user_handle = b""
        self.flags = USER_PRESENT | USER_VERIFIED  # of an assertion: the person proved a PIN

    def create(self, options: dict) -> dict:
        """navigator.credentials.create(options) → the credential's JSON (toJSON())."""
        self.user_handle = base64.urlsafe_b64decode(options["user"]["id"] + "==")
        numbers = self.key.public_key().public_numbers()
        cose_key = cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32)}
        )
        authenticator_data = (
            self._rp_hash(options["rp"]["id"])
            + bytes([USER_PRESENT | USER_VERIFIED | ATTESTED_CREDENTIAL])
            + self.sign_count.to_bytes(4, "big")
            + bytes(16)  # AAGUID: none
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + cose_key
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": authenticator_data})
        return self._credential(
            {
                "clientDataJSON": b64url(self._client_data("webauthn.create", options)),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            }
        )

    def get(self, options: dict) -> dict:
        """navigator.credentials.get(options) → the assertion's JSON; the counter goes up."""
        self.sign_count += 1
        client_data = self._client_data("webauthn.get", options)
        authenticator_data = (
            self._rp_hash(options["rpId"])
            + bytes([self.flags])
            + self.sign_count.to_bytes(4, "big")
        )
        signature = self.key.sign(
            authenticator_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return self._credential(
            {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(authenticator_data),
                "signature": b64url(signature),
                "userHandle": b64url(self.user_handle),
            }
        )

    def _client_data(self, kind: str, options: dict) -> bytes:
        return json.dumps(
            {
                "type": kind,
                "challenge": options["challenge"],
                "origin": self.origin,
                "crossOrigin": False,
            }
        ).encode()

    @staticmethod
    def _rp_hash(rp_id: str) -> bytes:
        return hashlib.sha256(rp_id.encode()).digest()

    def _credential(self, response: dict) -> dict:
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": response,
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
