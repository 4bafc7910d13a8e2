"""Verifying a license offline: signature, key, status, validity window and core."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.licensing.domain.verification import (
    LICENSE_TYP,
    STATUS_LIST_TYP,
    Result,
    SignatureProblem,
    armour,
    covers,
    read_status_list,
    unarmour,
    verify_license,
    version_allowed,
)
from shared.jws import public_keys_from_jwks, sign_compact
from tests.unit.services.licensing.fakes import NOW, FakeKeyring

VLNV = {"vendor": "acme.com", "library": "ip", "name": "uart", "version": "1.2.0"}


def claims(**changes) -> dict:
    issued = int(NOW.timestamp())
    return {
        "jti": "L1",
        "iss": "https://licensing.example",
        "iat": issued,
        "nbf": issued,
        "exp": issued + 3600,
        "vendor": "V",
        "licensee": "C",
        "core": {"core_id": "K", "vlnv": VLNV, "version_constraint": ">=1.0,<2.0"},
        **changes,
    }


@pytest.fixture
def keyring():
    return FakeKeyring()


def token(keyring, typ=LICENSE_TYP, **changes):
    return sign_compact(
        claims(**changes), kid=keyring.kid, private_key=keyring.private_key, typ=typ
    )


def check(keyring, text, statuses=None, **options):
    return verify_license(
        text, public_keys_from_jwks(keyring.jwks), statuses, now=options.pop("now", NOW), **options
    )


def test_a_genuine_license_in_its_window_is_valid(keyring):
    verification = check(keyring, token(keyring))
    assert verification.valid and verification.license_id == "L1"
    assert verification.as_dict()["result"] == "VALID"


def test_one_changed_character_is_a_bad_signature(keyring):
    text = token(keyring)
    head, payload, signature = text.split(".")
    tampered = f"{head}.{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert check(keyring, tampered).result is Result.BAD_SIGNATURE


def test_a_key_not_in_the_jwks_is_unknown(keyring):
    assert check(FakeKeyring(), token(keyring)).result is Result.UNKNOWN_KEY


@pytest.mark.parametrize(
    "status, result", [("revoked", Result.REVOKED), ("suspended", Result.SUSPENDED)]
)
def test_the_status_list_withdraws_a_license(keyring, status, result):
    assert check(keyring, token(keyring), {"L1": status}).result is result


def test_before_nbf_it_is_not_yet_valid_and_at_exp_it_has_expired(keyring):
    text = token(keyring)
    assert check(keyring, text, now=NOW - timedelta(seconds=1)).result is Result.NOT_YET_VALID
    assert check(keyring, text, now=NOW + timedelta(hours=1)).result is Result.EXPIRED


def test_a_perpetual_license_never_expires(keyring):
    text = token(keyring, exp=None)
    assert check(keyring, text, now=NOW + timedelta(days=36500)).valid


def test_a_token_of_another_type_or_missing_claims_is_malformed(keyring):
    assert check(keyring, token(keyring, typ="JWT")).result is Result.MALFORMED
    text = sign_compact(
        {"jti": "L1"}, kid=keyring.kid, private_key=keyring.private_key, typ=LICENSE_TYP
    )
    verification = check(keyring, text)
    assert verification.result is Result.MALFORMED and "missing" in verification.detail


def test_non_numeric_times_are_malformed(keyring):
    assert check(keyring, token(keyring, nbf="soon")).result is Result.MALFORMED


def test_the_core_asked_for_must_be_covered(keyring):
    text = token(keyring)
    assert check(keyring, text, core="acme.com:ip:uart:1.5").valid
    assert check(keyring, text, core="acme.com:ip:uart:2.0").result is Result.WRONG_CORE
    assert check(keyring, text, core="acme.com:ip:spi:1.5").result is Result.WRONG_CORE


def test_covers_needs_four_parts():
    assert not covers({"vlnv": VLNV, "version_constraint": ">=1"}, "acme.com:ip:uart")


@pytest.mark.parametrize(
    "constraint, version, allowed",
    [
        ("==1.2.0", "1.2.0", True),
        (">=1.0,<2.0", "2.0", False),
        ("===r1p0", "r1p0", True),
        ("==1.0", "r1p0", False),
        ("not a range", "1.0", False),
        (">=1.0", "1.1rc1", True),
    ],
)
def test_version_allowed(constraint, version, allowed):
    assert version_allowed(constraint, version) is allowed


def test_armour_and_unarmour_round_trip_the_token(keyring):
    text = token(keyring)
    armoured = armour(text, {"License-Id": "L1"})
    assert armoured.startswith("-----BEGIN IPMARKET LICENSE-----\nLicense-Id: L1\n")
    assert unarmour(armoured) == text and unarmour(f"  {text}\n") == text
    assert check(keyring, armoured).valid


def test_a_signed_status_list_is_read_and_a_forged_one_refused(keyring):
    statuses = {"L1": "revoked"}
    signed = sign_compact(
        {"statuses": statuses},
        kid=keyring.kid,
        private_key=keyring.private_key,
        typ=STATUS_LIST_TYP,
    )
    assert read_status_list(signed, public_keys_from_jwks(keyring.jwks)) == statuses
    with pytest.raises(SignatureProblem):
        read_status_list(signed, public_keys_from_jwks(FakeKeyring().jwks))
    with pytest.raises(SignatureProblem):
        read_status_list(token(keyring), public_keys_from_jwks(keyring.jwks))


def test_a_manifest_key_in_the_jwks_never_verifies_a_license_nor_a_status_list(keyring):
    """Licensing's JWKS serves the deliverables' manifest keys too (kid "manifest-…"): a
    verifier given the whole document must still refuse what such a key signed."""
    manifest_kid = "manifest-" + keyring.kid
    jwks = {"keys": [{**keyring.jwks["keys"][0], "kid": manifest_kid}]}
    keys = public_keys_from_jwks(jwks)
    forged = sign_compact(claims(), kid=manifest_kid, private_key=keyring.private_key,
                          typ=LICENSE_TYP)  # fmt: skip
    assert verify_license(forged, keys, None, now=NOW).result is Result.UNKNOWN_KEY
    status_list = sign_compact({"statuses": {}}, kid=manifest_kid,
                               private_key=keyring.private_key, typ=STATUS_LIST_TYP)  # fmt: skip
    with pytest.raises(SignatureProblem):
        read_status_list(status_list, keys)
