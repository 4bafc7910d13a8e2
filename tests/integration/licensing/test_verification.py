"""License verification: an independent JOSE library accepts our licenses, and the HTTP endpoint
and the offline command give the same result for tampered, foreign, rotated, revoked, expired
and not-yet-valid licenses."""

from __future__ import annotations

import json
import re
import warnings
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws, jwt
from joserfc.jwk import KeySet

from ipmarket.cli import main
from services.licensing.domain.verification import LICENSE_TYP, unarmour, verify_license
from shared import config
from shared.jws import public_keys_from_jwks, sign_compact
from tests.integration.licensing.conftest import request_body

pytestmark = pytest.mark.databases("sqlite", "postgresql")


@pytest.fixture
def issue(client, market):
    """issue() → (license JSON, armoured file text), issued without approval."""
    core = market.core(market.parties["vendor"], requires_approval=False)
    licensee = market.parties["licensee"]

    def issue_one():
        lic_id = client.post(
            "/v1/license-requests", json=request_body(core), headers=licensee.headers
        ).json["license_id"]
        lic = client.get(f"/v1/licenses/{lic_id}", headers=licensee.headers).json
        text = client.get(f"/v1/licenses/{lic_id}/file", headers=licensee.headers).text
        return lic, text

    return issue_one


def online(client, text, **extra):
    response = client.post("/v1/licenses/verify", json={"license": text, **extra})
    assert response.status_code == 200, response.json
    return response.json


def offline(tmp_path, client, text, *, status_list=True, extra=()):
    """`ipmarket license verify` with the JWKS and status list saved as files."""
    (tmp_path / "license.lic").write_text(text)
    (tmp_path / "jwks.json").write_text(client.get("/.well-known/jwks.json").text)
    args = [
        "license",
        "verify",
        str(tmp_path / "license.lic"),
        "--jwks",
        str(tmp_path / "jwks.json"),
        *extra,
    ]
    if status_list:
        (tmp_path / "status.jwt").write_text(client.get("/v1/licenses/status-list").text)
        args += ["--status-list", str(tmp_path / "status.jwt")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    assert result.exit_code == (0 if doc["result"] == "VALID" else 1)
    return doc


def test_an_independent_jose_library_verifies_the_license_against_the_jwks(client, issue):
    lic, text = issue()
    key_set = KeySet.import_key_set(client.get("/.well-known/jwks.json").json)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc prefers the newer name "Ed25519" for EdDSA
        token = jws.deserialize_compact(unarmour(text), key_set, algorithms=["EdDSA"])
    assert token.headers()["alg"] == "EdDSA"
    assert token.headers()["kid"] == lic["kid"]
    assert json.loads(token.payload) == {k: v for k, v in lic["claims"].items() if v is not None}
    assert unarmour(text) == lic["token"]


def test_the_license_names_its_licensee_as_sub_and_joserfc_checks_its_claims(client, market, issue):
    lic, text = issue()
    licensee = market.parties["licensee"].organisation_id
    key_set = KeySet.import_key_set(client.get("/.well-known/jwks.json").json)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc prefers the newer name "Ed25519" for EdDSA
        token = jwt.decode(unarmour(text), key_set, algorithms=["EdDSA"])
    assert token.header["typ"] == LICENSE_TYP
    # The registered claims, as any JWT checker reads them: the licensee, the issuer, in force.
    jwt.JWTClaimsRegistry(
        sub={"essential": True, "value": licensee},
        iss={"essential": True, "value": config.get("IPMARKET_LICENSING_URL")},
        jti={"essential": True, "value": lic["id"]},
        nbf={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    ).validate(token.claims)
    assert token.claims["sub"] == token.claims["licensee"] == licensee
    # The other claims are still there, and the README's table explains each of them.
    assert set(token.claims) == {
        "jti",
        "iss",
        "sub",
        "revision",
        "iat",
        "nbf",
        "exp",
        "vendor",
        "licensee",
        "core",
        "offer_kind",
        "offer_id",
        "scope",
        "seats",
        "territory",
        "deliverables",
    }
    readme = (config.PROJECT_ROOT / "README.md").read_text()
    section = readme[readme.index("## License tokens") :]
    section = section[: section.index("\n## ")]
    documented = set(re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE))
    assert documented == set(token.claims) | {"royalty"}  # royalty: only on offers with one


def test_one_byte_changed_is_a_bad_signature_online_and_offline(client, issue, tmp_path):
    lic, text = issue()
    header, payload, signature = lic["token"].split(".")
    # One character of the payload, in the armoured file (the token is wrapped at 64).
    index = len(header) + 1 + len(payload) // 2
    position = text.index(lic["token"][:64]) + index + index // 64
    swapped = "A" if text[position] != "A" else "B"
    tampered = text[:position] + swapped + text[position + 1 :]
    assert sum(a != b for a, b in zip(text, tampered)) == 1
    assert online(client, tampered)["result"] == "BAD_SIGNATURE"
    assert offline(tmp_path, client, tampered)["result"] == "BAD_SIGNATURE"
    sig_tampered = (
        f"{header}.{payload}.{signature[:-3]}{'A' if signature[-3] != 'A' else 'B'}{signature[-2:]}"
    )
    assert online(client, sig_tampered)["result"] == "BAD_SIGNATURE"
    assert online(client, text)["result"] == "VALID"


def test_a_license_signed_by_an_unknown_key_is_unknown_key(client, issue, tmp_path):
    lic, _ = issue()
    forged = sign_compact(
        lic["claims"], kid="not-our-key", private_key=Ed25519PrivateKey.generate(), typ=LICENSE_TYP
    )
    assert online(client, forged)["result"] == "UNKNOWN_KEY"
    assert offline(tmp_path, client, forged)["result"] == "UNKNOWN_KEY"
    # Our kid on someone else's signature is no better.
    impostor = sign_compact(
        lic["claims"], kid=lic["kid"], private_key=Ed25519PrivateKey.generate(), typ=LICENSE_TYP
    )
    assert online(client, impostor)["result"] == "BAD_SIGNATURE"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not a license",
        "a.b.c",
        "-----BEGIN IPMARKET LICENSE-----\nabc",
        "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
    ],
)
def test_garbage_is_malformed(client, market, text):
    if text:
        assert online(client, text)["result"] == "MALFORMED"
    assert verify_license(text, {}, None).result.value == "MALFORMED"


def test_a_key_id_that_begins_with_a_dash_is_read_as_the_key_id(client):
    # One thumbprint in 64 begins with "-"; it must not be taken for an option.
    retired = CliRunner().invoke(main, ["keys", "retire", "-Uq3bX0"])
    assert retired.exit_code == 2, retired.output
    assert "No such option" not in retired.output and "-Uq3bX0" in retired.output


def test_after_rotation_old_licenses_still_verify_until_their_key_is_retired(
    client, issue, tmp_path
):
    old, old_text = issue()
    rotated = CliRunner().invoke(main, ["keys", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    new_kid = json.loads(rotated.stdout)["kid"]
    new, _ = issue()
    assert new["kid"] == new_kid != old["kid"]
    assert {k["kid"] for k in client.get("/.well-known/jwks.json").json["keys"]} == {
        old["kid"],
        new_kid,
    }
    assert online(client, old_text)["result"] == "VALID"
    assert offline(tmp_path, client, old_text)["result"] == "VALID"
    assert online(client, new["token"])["result"] == "VALID"

    retired = CliRunner().invoke(main, ["keys", "retire", old["kid"]])
    assert retired.exit_code == 0, retired.output
    assert online(client, old_text)["result"] == "UNKNOWN_KEY"
    assert online(client, new["token"])["result"] == "VALID"
    last = CliRunner().invoke(main, ["keys", "retire", new_kid])
    assert last.exit_code == 1 and "only signing key" in last.output, last.output


def test_revoked_is_revoked_online_and_offline_with_the_status_list(
    client, market, issue, tmp_path
):
    lic, text = issue()
    other, other_text = issue()
    vendor = market.parties["vendor"]
    assert (
        client.post(
            f"/v1/licenses/{lic['id']}/revoke",
            json={"reason": "licensee breached"},
            headers=vendor.headers,
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"/v1/licenses/{other['id']}/suspend", json={"reason": "audit"}, headers=vendor.headers
        ).status_code
        == 200
    )
    assert online(client, text)["result"] == "REVOKED"
    assert offline(tmp_path, client, text)["result"] == "REVOKED"
    assert online(client, other_text)["result"] == "SUSPENDED"
    assert offline(tmp_path, client, other_text)["result"] == "SUSPENDED"
    # Without a status list an offline verifier cannot know: it says so and checks the rest.
    assert offline(tmp_path, client, text, status_list=False)["result"] == "VALID"


def test_a_forged_status_list_is_refused(client, issue, tmp_path):
    _, text = issue()
    (tmp_path / "license.lic").write_text(text)
    (tmp_path / "jwks.json").write_text(client.get("/.well-known/jwks.json").text)
    genuine = client.get("/v1/licenses/status-list").text
    header, payload, signature = genuine.split(".")
    (tmp_path / "status.jwt").write_text(f"{header}.{payload}x.{signature}")
    result = CliRunner().invoke(
        main,
        [
            "license",
            "verify",
            str(tmp_path / "license.lic"),
            "--jwks",
            str(tmp_path / "jwks.json"),
            "--status-list",
            str(tmp_path / "status.jwt"),
        ],
    )
    assert result.exit_code == 2
    assert "status list is not usable" in result.output


def test_expired_not_yet_valid_and_wrong_core_by_the_clock(client, issue, tmp_path):
    lic, text = issue()
    keys = public_keys_from_jwks(client.get("/.well-known/jwks.json").json)
    exp = datetime.fromtimestamp(lic["claims"]["exp"], UTC)
    nbf = datetime.fromtimestamp(lic["claims"]["nbf"], UTC)
    assert verify_license(text, keys, {}, now=exp).result.value == "EXPIRED"
    assert verify_license(text, keys, {}, now=exp - timedelta(seconds=1)).result.value == "VALID"
    assert (
        verify_license(text, keys, {}, now=nbf - timedelta(seconds=1)).result.value
        == "NOT_YET_VALID"
    )
    assert (
        offline(
            tmp_path, client, text, extra=["--core", "pearlriver.hk:interfaces:usb3_phy:1.3.0"]
        )["result"]
        == "WRONG_CORE"
    )
    assert (
        offline(
            tmp_path, client, text, extra=["--core", "pearlriver.hk:interfaces:usb3_phy:1.2.0"]
        )["result"]
        == "VALID"
    )


def test_retiring_a_key_that_does_not_exist_is_bad_input(client):
    result = CliRunner().invoke(main, ["keys", "retire", "no-such-kid"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "Error: Invalid value for 'KID': signing key no-such-kid does not exist"
    ]
