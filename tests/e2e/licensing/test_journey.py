"""The whole journey across real processes and the real broker: the catalog publishes a core
→ the licensing consumer projects it → a licensee requests → the vendor approves → the license is
issued → its event reaches the notify service. Also: a key revoked in the catalog stops working
here within 2 seconds, and the offline command fetches the JWKS and status list over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import requests
import sqlalchemy as sa

from services.catalog.app import build_context as catalog_context
from services.catalog.organisations import create_api_key, register_organisation, revoke_api_key
from shared.db.engine import create_engine
from tests.integration.licensing.conftest import core_state, request_body
from tests.support import wait_until

pytestmark = pytest.mark.databases("sqlite", "postgresql")


def scalar(url: str, query: str, **params):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(query), params).scalar()
    finally:
        engine.dispose()


def test_core_published_requested_approved_issued_and_notified(
    signing_secret, platform_env, processes, tmp_path
):
    catalog = catalog_context()
    with catalog.unit_of_work() as uow:
        vendor = register_organisation(
            uow, legal_name_en="Pearl River Silicon", country="HK", roles=["vendor"]
        )
        licensee = register_organisation(
            uow, legal_name_en="Tianhe Chips", country="CN", roles=["licensee"]
        )
        _, vendor_key = create_api_key(uow, vendor.id, "vendor key")
        licensee_api_key, licensee_key = create_api_key(uow, licensee.id, "licensee key")
        core = core_state(vendor.id)
        uow.publish("ipmarket.core.published.v1", core["core_id"], core)
        uow.commit()

    for name, args in [
        ("catalog-relay", ("relay", "catalog")),
        ("licensing-consumer", ("consume", "licensing")),
        ("licensing-relay", ("relay", "licensing")),
        ("notify-consumer", ("consume", "notify")),
    ]:
        processes.start(name, *args)
    url = processes.serve("licensing")
    as_vendor = {"Authorization": f"Bearer {vendor_key}"}
    as_licensee = {"Authorization": f"Bearer {licensee_key}", "Idempotency-Key": "journey-1"}

    def submitted():
        # Retrying with the same Idempotency-Key is safe until the core has arrived.
        response = requests.post(
            f"{url}/v1/license-requests", json=request_body(core), headers=as_licensee, timeout=10
        )
        return response if response.status_code == 201 else None

    request = wait_until(
        submitted, timeout=60, interval=0.2, what="the core and keys to reach licensing"
    ).json()
    assert request["state"] == "pending_approval"
    approved = requests.post(
        f"{url}/v1/license-requests/{request['id']}/approve",
        json={"comment": "approved"},
        headers=as_vendor,
        timeout=10,
    )
    assert approved.status_code == 200, approved.text
    license_id = approved.json()["license_id"]

    licensing_db = platform_env["IPMARKET_LICENSING_DATABASE_URL"]
    issued_event_id = scalar(
        licensing_db, "SELECT event_id FROM outbox WHERE event_type = 'ipmarket.license.issued.v1'"
    )
    wait_until(
        lambda: scalar(licensing_db, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0,
        timeout=30,
        what="the licensing relay to publish",
    )

    # Offline verification, fetching the JWKS and status list from the running service.
    license_file = tmp_path / "license.lic"
    license_file.write_text(
        requests.get(f"{url}/v1/licenses/{license_id}/file", headers=as_vendor, timeout=10).text
    )
    verified = subprocess.run(
        [
            sys.executable,
            "-m",
            "ipmarket",
            "license",
            "verify",
            str(license_file),
            "--jwks",
            f"{url}/.well-known/jwks.json",
            "--status-list",
            f"{url}/v1/licenses/status-list",
            "--core",
            "pearlriver.hk:interfaces:usb3_phy:1.2.0",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["result"] == "VALID"

    # A key revoked in the catalog fails here within 2 seconds.
    with catalog.unit_of_work() as uow:
        revoke_api_key(uow, licensee.id, licensee_api_key.id)
        uow.commit()
    revoked_at = time.monotonic()
    wait_until(
        lambda: (
            requests.get(f"{url}/v1/licenses", headers=as_licensee, timeout=5).status_code == 401
        ),
        timeout=2,
        interval=0.05,
        what="the revoked key to be refused",
    )
    assert time.monotonic() - revoked_at < 2

    wait_until(
        lambda: (
            scalar(
                platform_env["IPMARKET_NOTIFY_DATABASE_URL"],
                "SELECT count(*) FROM processed_event WHERE event_id = :id",
                id=issued_event_id,
            )
            == 1
        ),
        timeout=30,
        what="notify to handle license.issued",
    )
