"""What a license grants and where, enforced by the deliverables service, on PostgreSQL and Kafka
(issue 17): licensing issues a license whose events name the files it grants and its
destination; the licensee downloads a file of a granted kind and is refused one of a kind not
granted (403 naming the kind, nothing logged as a download). Then an operator embargoes the
destination: licensing announces the rule set, and the next download is refused with the rule's
reason code within 2 seconds. The catalog's core is published to Kafka as the catalog would."""

from __future__ import annotations

import hashlib
import time

from pyrage import x25519

from kafka import KafkaProducer
from services.catalog import organisations
from shared.events import new_event
from shared.messaging.kafka_io import topic
from tests.integration.deliverables.test_uploads import upload_whole
from tests.integration.licensing.conftest import core_state, request_body
from tests.support import wait_until

WITHIN = 2.0
RTL, NETLIST = b"module usb3_phy; endmodule\n", b"module usb3_phy_gl; endmodule\n"


class Key:
    def __init__(self, key: str):
        self.headers = {"Authorization": f"Bearer {key}"}


def organisation_with_key(platform, kind: str):
    with platform.catalog.unit_of_work() as uow:
        org = organisations.register_organisation(
            uow, legal_name_en=f"A {kind}", country="HK", roles=[kind]
        )
        _, key = organisations.create_api_key(uow, org.id, "entitlement test")
        uow.commit()
    return org.id, Key(key)


def test_a_license_grants_its_kinds_and_a_destination_denied_since_is_refused(
    platform, kafka_broker
):
    vendor_id, vendor = organisation_with_key(platform, "vendor")
    licensee_id, licensee = organisation_with_key(platform, "licensee")
    _, admin = organisation_with_key(platform, "admin")
    core = core_state(vendor_id)
    core["deliverables"] = [  # in the catalog's vocabulary: RTL source only
        {"kind": "soft_rtl", "name": "usb3_phy.v", "sha256": hashlib.sha256(RTL).hexdigest()}
    ]
    event = new_event("ipmarket.core.published.v1", "/ipmarket/catalog", core["core_id"], core)
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap)
    producer.send(topic("catalog"), key=core["core_id"].encode(), value=event.to_json()).get(10)
    producer.close()
    deliverables, licensing = platform.clients["deliverables"], platform.clients["licensing"]

    def uploaded(data: bytes, kind: str, name: str) -> str:
        answer = upload_whole(
            deliverables, vendor, core["core_id"], data, kind=kind, file_name=name
        )
        assert answer.status_code == 201, answer.json
        return answer.json["deliverable_id"]

    files = f"/v1/cores/{core['core_id']}/deliverables"
    wait_until(lambda: deliverables.get(files, headers=vendor.headers).status_code == 200,
               timeout=60, what="deliverables knowing the vendor and its core")  # fmt: skip
    rtl = uploaded(RTL, "rtl", "usb3_phy.v")
    netlist = uploaded(NETLIST, "netlist", "usb3_phy_gl.v")
    asked = wait_until(
        lambda: (
            (
                answer := licensing.post(
                    "/v1/license-requests",
                    json=request_body(core, offer_id="eval", end_use_country="SG"),
                    headers=licensee.headers,
                )
            ).status_code
            == 201
            and answer.json
        ),
        timeout=60,
        what="licensing knowing the licensee and the core",
    )
    assert asked["state"] == "issued", asked
    assert (
        deliverables.post(
            "/v1/recipient-keys",
            json={"public_key": str(x25519.Identity.generate().to_public())},
            headers=licensee.headers,
        ).status_code
        == 201
    )

    def download(deliverable_id: str):
        return deliverables.get(
            f"/v1/deliverables/{deliverable_id}/content", headers=licensee.headers
        )

    wait_until(lambda: download(rtl).status_code == 200, timeout=30,
               what="the issued license reaching deliverables")  # fmt: skip
    refused = download(netlist)
    assert refused.status_code == 403, refused.json
    assert refused.json["errors"][0]["field"] == "kind" and refused.json["kind"] == "netlist"
    downloads = deliverables.get("/v1/downloads", headers=licensee.headers).json["items"]
    assert [d["deliverable_id"] for d in downloads] == [rtl]

    current = licensing.get("/v1/screening/rules", headers=admin.headers).json
    published = licensing.put(
        "/v1/screening/rules",
        json={
            "based_on": current["version"],
            "rules": current["rules"],
            "embargoed": [*current["embargoed"], "SG"],
            "comment": "SG embargoed (test)",
        },
        headers=admin.headers,
    )
    assert published.status_code == 201, published.json
    answered = time.monotonic()
    wait_until(lambda: download(rtl).status_code == 403, timeout=10, interval=0.01,
               what="the new rule set reaching deliverables")  # fmt: skip
    took = time.monotonic() - answered
    print(f"\nrule set published → download refused after {took * 1000:.0f} ms")
    refused = download(rtl)
    assert refused.json["errors"][0]["field"] == "export"
    assert refused.json["reason_code"] == "EMBARGOED_DESTINATION"
    assert refused.json["rule_set_version"] == current["version"] + 1
    assert took < WITHIN

    def logged() -> int:
        return len(deliverables.get("/v1/downloads", headers=licensee.headers).json["items"])

    # (the polling above downloaded until the rule set arrived: each of those was a copy)
    before = logged()
    assert download(rtl).status_code == 403 and logged() == before
