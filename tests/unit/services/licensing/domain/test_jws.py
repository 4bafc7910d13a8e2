"""Compact JWS with Ed25519, base64url and JWK thumbprints."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.licensing.domain.jws import (
    MalformedJws,
    b64url_decode,
    b64url_encode,
    public_keys_from_jwks,
    sign_compact,
    split_compact,
    thumbprint,
)
from tests.unit.services.licensing.fakes import FakeKeyring


def test_base64url_round_trips_without_padding():
    for data in (b"", b"a", b"ab", b"abc", bytes(range(256))):
        text = b64url_encode(data)
        assert "=" not in text and b64url_decode(text) == data


@pytest.mark.parametrize("text", ["a+b/", "ab=c", "abcde", "ab cd"])
def test_base64url_refuses_characters_outside_its_alphabet(text):
    with pytest.raises(MalformedJws):
        b64url_decode(text)


def test_a_signed_token_splits_back_into_its_header_payload_and_a_valid_signature():
    key = Ed25519PrivateKey.generate()
    token = sign_compact({"jti": "L1", "n": 1}, kid="k1", private_key=key, typ="test+jwt")
    header, payload, signature, signing_input = split_compact(token)
    assert header == {"alg": "EdDSA", "kid": "k1", "typ": "test+jwt"}
    assert json.loads(payload) == {"jti": "L1", "n": 1}
    key.public_key().verify(signature, signing_input.encode())  # raises if not


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c.d"])
def test_a_token_without_three_parts_is_malformed(token):
    with pytest.raises(MalformedJws):
        split_compact(token)


def test_a_header_without_eddsa_is_malformed():
    header = b64url_encode(json.dumps({"alg": "none", "kid": "k"}).encode())
    with pytest.raises(MalformedJws):
        split_compact(f"{header}.e30.")


def test_the_thumbprint_is_the_rfc_7638_digest_of_the_key():
    # RFC 8037, appendix A.3: the thumbprint of its example Ed25519 key.
    assert (
        thumbprint("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
        == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    )


def test_a_jwks_gives_its_ed25519_keys_by_kid_and_skips_the_rest():
    keyring = FakeKeyring()
    jwks = {
        "keys": [
            *keyring.jwks["keys"],
            {"kty": "RSA", "kid": "r"},
            {"kty": "OKP", "crv": "Ed25519", "kid": "bad", "x": "!!"},
        ]
    }
    assert list(public_keys_from_jwks(jwks)) == [keyring.kid]
    assert public_keys_from_jwks(["not", "a", "jwks"]) == {}
