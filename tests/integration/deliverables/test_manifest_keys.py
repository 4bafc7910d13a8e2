"""The manifest keys in the license keys' JWKS (issue 17), through real Kafka and real HTTP: the
deliverables relay publishes each manifest key, licensing's consumer learns it, and licensing's
/.well-known/jwks.json serves it (kid "manifest-…") so that joserfc verifies a licensee's
manifest with that document alone; a license signed with the manifest key is refused by
POST /v1/licenses/verify, and a retired manifest key leaves the JWKS."""

from __future__ import annotations

import json
import threading
import warnings

import pytest
import requests
from click.testing import CliRunner
from joserfc import jws
from joserfc.jwk import KeySet

from ipmarket.cli import main
from services.deliverables.manifest import ManifestSigner
from services.deliverables.package_worker import PackageWorker
from shared.jws import sign_compact
from shared.messaging.outbox import OutboxRelay
from tests.integration.deliverables.conftest import SIGNING_SECRET
from tests.integration.deliverables.test_packages import licensed, package_of, parties  # noqa: F401
from tests.support import wait_until


def manifest_kids(licensing_url: str) -> set[str]:
    keys = requests.get(f"{licensing_url}/.well-known/jwks.json", timeout=10).json()["keys"]
    return {key["kid"] for key in keys if key["kid"].startswith("manifest-")}


@pytest.mark.parametrize("backend", ["directory"])  # the storage is not what is tested here
def test_a_manifest_verifies_with_licensing_jwks_and_its_key_never_signs_a_license(
    processes,
    app,
    client,
    market,
    parties,  # noqa: F811
    licensed,  # noqa: F811
):
    _, licensee = parties
    license_id = licensed[0]
    context = app.extensions["ipmarket"]
    signer = ManifestSigner(SIGNING_SECRET.encode())
    PackageWorker(context, app.extensions["deliverables_store"], signer,
                  "http://deliverables.test").drain()  # fmt: skip
    token = package_of(client, licensee, license_id).json["manifest"]
    kid = jws.extract_compact(token.encode()).headers()["kid"]
    assert kid.startswith("manifest-")

    licensing = processes.serve("licensing")
    processes.start("licensing-consumer", "consume", "licensing")
    stop = threading.Event()
    relay = OutboxRelay(context.engine, context.outbox_model.__table__)
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(lambda: kid in manifest_kids(licensing), timeout=60,
                   what="the manifest key in licensing's JWKS")  # fmt: skip
        # The licensee's check: licensing's JWKS over HTTP, an independent JOSE library.
        jwks = requests.get(f"{licensing}/.well-known/jwks.json", timeout=10).json()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # joserfc prefers the newer name "Ed25519"
            signed = jws.deserialize_compact(token, KeySet.import_key_set(jwks), ["EdDSA"])
        assert json.loads(signed.payload)["license_id"] == license_id

        # A license forged with the manifest key: refused, though the JWKS serves that key.
        forged = sign_compact(
            {"jti": license_id, "iss": "ipmarket", "iat": 0, "nbf": 0, "vendor": {},
             "licensee": {}, "core": {}},
            kid=kid, private_key=signer._private[kid], typ="ipmarket-license+jwt",
        )  # fmt: skip
        answer = requests.post(f"{licensing}/v1/licenses/verify", json={"license": forged},
                               timeout=10)  # fmt: skip
        assert answer.status_code == 200 and answer.json()["result"] == "UNKNOWN_KEY"

        # Rotation and retirement as the license keys' (`ipmarket manifest-keys`): the newest
        # signs, the retired key leaves the JWKS, the only one that signs cannot be retired.
        rotated = CliRunner().invoke(main, ["manifest-keys", "rotate"])
        assert rotated.exit_code == 0, rotated.output
        newer = json.loads(rotated.output)["kid"]
        assert newer.startswith("manifest-") and newer != kid
        retired = CliRunner().invoke(main, ["manifest-keys", "retire", kid])
        assert retired.exit_code == 0, retired.output
        wait_until(lambda: manifest_kids(licensing) == {newer}, timeout=30,
                   what="the retired manifest key to leave licensing's JWKS")  # fmt: skip
        refused = CliRunner().invoke(main, ["manifest-keys", "retire", newer])
        assert refused.exit_code == 1 and "rotate first" in refused.output
        with context.unit_of_work() as uow:
            assert signer.sign(uow, {"n": 1}) and signer._key(uow)[0] == newer
    finally:
        stop.set()
        thread.join(30)
