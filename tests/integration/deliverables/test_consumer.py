"""The deliverables consumer on a real Kafka broker: licensing's events, as published, open and
close downloads (the projection the HTTP API reads) and queue the license's package."""

from __future__ import annotations

import threading
import time

import pytest
from pyrage import x25519

from ipmarket.cli import build_consumer
from kafka import KafkaProducer
from services.deliverables.manifest import ManifestSigner
from services.deliverables.package_worker import PackageWorker
from shared.db.schema import new_id
from shared.events import new_event
from shared.messaging.kafka_io import topic
from tests.integration.deliverables.conftest import SIGNING_SECRET, Marketplace
from tests.integration.deliverables.test_downloads import download, register
from tests.integration.deliverables.test_uploads import upload_whole
from tests.support import wait_until


@pytest.mark.parametrize("backend", ["directory"])  # the storage is not what is tested here
def test_licensing_events_from_kafka_open_and_close_downloads(platform_env, kafka_broker, make_app):
    app = make_app()
    client = app.test_client()
    market = Marketplace(app.extensions["ipmarket"])
    vendor = market.organisation("Pearl River Silicon", ["vendor"])
    licensee = market.organisation("Design House", ["licensee"])
    core_id = market.core(vendor)
    deliverable_id = upload_whole(client, vendor, core_id, b"module uart; endmodule\n").json[
        "deliverable_id"
    ]
    register(client, licensee, x25519.Identity.generate())

    consumer = build_consumer("deliverables")
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap)
    license_id = new_id()

    def publish(action: str) -> None:
        data = {
            "vendor_id": vendor.organisation_id,
            "licensee_id": licensee.organisation_id,
            "core_id": core_id,
            "vlnv": {"vendor": "pearlriver.hk", "library": "ip", "name": "uart", "version": "1.0"},
            "license_id": license_id,
        }
        event = new_event(f"ipmarket.license.{action}.v1", "/ipmarket/licensing", license_id, data)
        producer.send(topic("licensing"), key=license_id.encode(), value=event.to_json()).get(10)

    try:
        publish("issued")
        wait_until(lambda: download(client, licensee, deliverable_id).status_code == 200,
                   timeout=60, what="the issued license to open downloads")  # fmt: skip
        # The event queued the license's package, which the worker prepares from that alone.
        assert market.count(f"package_wanted WHERE license_id = '{license_id}'") == 1
        PackageWorker(market.context, app.extensions["deliverables_store"],
                      ManifestSigner(SIGNING_SECRET.encode()), "http://d.test").drain()  # fmt: skip
        assert market.count("package_wanted") == 0
        package = client.get(f"/v1/licenses/{license_id}/package", headers=licensee.headers)
        assert package.status_code == 200 and len(package.json["files"]) == 1
        published = time.monotonic()
        publish("revoked")
        wait_until(lambda: download(client, licensee, deliverable_id).status_code == 403,
                   timeout=10, what="the revocation to close downloads")  # fmt: skip
        print(f"revocation to refusal: {time.monotonic() - published:.2f} s")
    finally:
        stop.set()
        thread.join(30)
        producer.close()
