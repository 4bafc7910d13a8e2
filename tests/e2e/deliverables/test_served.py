"""The deliverables service as deployed: `ipmarket serve` (gunicorn; threads on SQLite, gevent on
PostgreSQL) takes parts far larger than the platform's 1 MiB body limit, streamed past the
body-deadline middleware, and streams an encrypted download back over real HTTP."""

from __future__ import annotations

import hashlib
import os

import pyrage
import pytest
import requests
from pyrage import x25519

from services.deliverables.app import build_context
from shared.db.schema import new_id
from tests.integration.deliverables.conftest import Marketplace
from tests.support import Processes

MiB = 2**20
PART = 5 * MiB


@pytest.mark.databases("sqlite", "postgresql")
def test_a_served_upload_in_parts_and_an_encrypted_download(make_database, tmp_path):
    url = make_database("deliverables")
    context = build_context(url)
    market = Marketplace(context)
    vendor = market.organisation("Pearl River Silicon", ["vendor"])
    licensee = market.organisation("Design House", ["licensee"])
    core_id = market.core(vendor)
    context.engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPMARKET_")}
    env.update(
        {
            "IPMARKET_VAR_DIR": str(tmp_path / "var"),
            "IPMARKET_DELIVERABLES_DATABASE_URL": url,
            "IPMARKET_DELIVERABLE_PART_BYTES": str(PART),
            "IPMARKET_RATE_LIMIT_PER_KEY": "1000000/60",
            "IPMARKET_RATE_LIMIT_PER_ADDRESS": "1000000/60",
        }
    )
    processes = Processes(env, tmp_path)
    try:
        base = processes.serve("deliverables")
        data = os.urandom(2 * PART + 3)
        declared = requests.post(
            f"{base}/v1/cores/{core_id}/uploads",
            json={"kind": "gds", "file_name": "uart.gds", "size": len(data),
                  "sha256": hashlib.sha256(data).hexdigest()},
            headers=vendor.headers, timeout=30,
        ).json()  # fmt: skip
        for number in (3, 1, 2):
            start = (number - 1) * PART
            sent = requests.put(
                f"{base}/v1/uploads/{declared['upload_id']}/parts/{number}",
                data=data[start : start + PART],
                headers={**vendor.headers, "Content-Type": "application/octet-stream"},
                timeout=60,
            )
            assert sent.status_code == 200, sent.text
        done = requests.post(
            f"{base}/v1/uploads/{declared['upload_id']}/complete",
            headers=vendor.headers,
            timeout=60,
        )
        assert done.status_code == 201, done.text

        market.apply(
            "ipmarket.license.issued.v1",
            (license_id := new_id()),
            {"vendor_id": vendor.organisation_id, "licensee_id": licensee.organisation_id,
             "core_id": core_id, "license_id": license_id,
             "vlnv": {"vendor": "pearlriver.hk", "library": "ip", "name": "uart",
                      "version": "1.0"}},
            source="licensing",
        )  # fmt: skip
        identity = x25519.Identity.generate()
        requests.post(f"{base}/v1/recipient-keys", json={"public_key": str(identity.to_public())},
                      headers=licensee.headers, timeout=30).raise_for_status()  # fmt: skip
        with requests.get(f"{base}/v1/deliverables/{done.json()['deliverable_id']}/content",
                          headers=licensee.headers, stream=True, timeout=60) as answer:  # fmt: skip
            assert answer.status_code == 200, answer.text
            ciphertext = b"".join(answer.iter_content(MiB))
        assert pyrage.decrypt(ciphertext, [identity]) == data
    finally:
        processes.stop_all()
        context.engine.dispose()
