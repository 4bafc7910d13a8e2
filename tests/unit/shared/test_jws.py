"""Compact JWS with Ed25519, base64url and JWK thumbprints; verification checked against an
independent JOSE library (joserfc) both ways."""

from __future__ import annotations

import json
import warnings

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws as joserfc_jws
from joserfc.jwk import OKPKey

from shared.jws import (
    BadSignature,
    JwsError,
    MalformedJws,
    UnknownKey,
    b64url_decode,
    b64url_encode,
    public_key_from_text,
    public_key_text,
    public_keys_from_jwks,
    sign_compact,
    split_compact,
    thumbprint,
    verify_compact,
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


# --- verify_compact ----------------------------------------------------------------------------

KEY = Ed25519PrivateKey.generate()
KEYS = {"k1": KEY.public_key()}


def test_a_genuine_token_gives_its_header_and_claims():
    token = sign_compact({"sub": "p", "名": "李伟"}, kid="k1", private_key=KEY)
    assert verify_compact(token, KEYS) == (
        {"alg": "EdDSA", "kid": "k1", "typ": "JWT"},
        {"sub": "p", "名": "李伟"},
    )


def test_a_token_naming_a_key_not_held_is_an_unknown_key():
    token = sign_compact({"sub": "p"}, kid="k2", private_key=KEY)
    with pytest.raises(UnknownKey) as raised:
        verify_compact(token, KEYS)
    assert raised.value.kid == "k2"


def test_a_token_signed_by_another_key_or_altered_has_a_bad_signature():
    other = sign_compact({"sub": "p"}, kid="k1", private_key=Ed25519PrivateKey.generate())
    head, payload, signature = sign_compact({"sub": "p"}, kid="k1", private_key=KEY).split(".")
    forged_payload = b64url_encode(json.dumps({"sub": "operator"}).encode())
    for token in (other, f"{head}.{forged_payload}.{signature}"):
        with pytest.raises(BadSignature):
            verify_compact(token, KEYS)


def test_a_signed_payload_that_is_not_a_json_object_is_malformed():
    head = b64url_encode(json.dumps({"alg": "EdDSA", "kid": "k1"}).encode())
    for payload in (b"[1]", b"not json"):
        signing_input = f"{head}.{b64url_encode(payload)}"
        token = f"{signing_input}.{b64url_encode(KEY.sign(signing_input.encode()))}"
        with pytest.raises(MalformedJws):
            verify_compact(token, KEYS)


def test_every_refusal_is_a_jws_error_and_a_value_error():
    assert all(issubclass(e, JwsError) for e in (MalformedJws, UnknownKey, BadSignature))
    assert issubclass(JwsError, ValueError)


def _joserfc_key(kid: str) -> OKPKey:
    return OKPKey.import_key(
        {"kty": "OKP", "crv": "Ed25519", "x": public_key_text(KEY.public_key()), "kid": kid}
    )


def test_joserfc_verifies_what_this_module_signs():
    token = sign_compact({"sub": "p", "n": 1}, kid="k1", private_key=KEY)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc prefers the newer name "Ed25519" for EdDSA
        verified = joserfc_jws.deserialize_compact(token, _joserfc_key("k1"), algorithms=["EdDSA"])
    assert json.loads(verified.payload) == {"sub": "p", "n": 1}


def test_this_module_verifies_what_joserfc_signs():
    private = OKPKey.import_key(
        {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": public_key_text(KEY.public_key()),
            "d": b64url_encode(KEY.private_bytes_raw()),
            "kid": "k1",
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        token = joserfc_jws.serialize_compact(
            {"alg": "EdDSA", "kid": "k1"}, b'{"sub":"p"}', private, algorithms=["EdDSA"]
        )
    assert verify_compact(token, KEYS)[1] == {"sub": "p"}


def test_a_public_key_round_trips_through_its_text_and_bad_text_is_malformed():
    text = public_key_text(KEY.public_key())
    assert len(text) == 43
    assert public_key_text(public_key_from_text(text)) == text
    with pytest.raises(MalformedJws):
        public_key_from_text("AAAA")
