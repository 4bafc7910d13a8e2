"""Across real processes: events from the catalog's and the licensing service's outboxes go
through the real broker to `ipmarket consume notify`, and `ipmarket deliver` sends them to a real
HTTP receiver (verified by `standardwebhooks`) and a real SMTP server. The delivery worker is
killed (SIGKILL) in the middle and started again: nothing is lost, and every repeat carries the
same webhook-id or Message-ID."""

from __future__ import annotations

import uuid
from collections import defaultdict

import pytest
import sqlalchemy as sa

from services.catalog.app import build_context as catalog_context
from services.catalog.organisations import create_api_key, register_organisation
from services.licensing.app import build_context as licensing_context
from services.notify.app import create_app
from services.notify.models import KnownApiKey
from shared.messaging.outbox import OutboxRelay
from tests.support import wait_until

pytestmark = pytest.mark.databases("sqlite", "postgresql")

EVENTS = 15
ISSUED = "ipmarket.license.issued.v1"


def relay_all(context) -> None:
    relay = OutboxRelay(context.engine, context.outbox_model.__table__)
    while relay.publish_batch():
        pass
    relay.close()


@pytest.fixture
def marketplace(processes, smtp_server, notify_context):
    processes.env.update(
        {
            "IPMARKET_SMTP_HOST": "127.0.0.1",
            "IPMARKET_SMTP_PORT": str(smtp_server.port),
            "IPMARKET_SMTP_SECURITY": "none",
            "IPMARKET_WEBHOOK_TIMEOUT_SECONDS": "2",
            "IPMARKET_SMTP_TIMEOUT_SECONDS": "2",
            "IPMARKET_DELIVERY_PER_ENDPOINT": "2",
            "IPMARKET_DELIVERY_THREADS": "4",
        }
    )
    processes.start("notify-consumer", "consume", "notify")
    return processes


def register(uow, **fields) -> tuple[str, str]:
    org = register_organisation(uow, **fields)
    _, key = create_api_key(uow, org.id, "integration")
    return org.id, key


def test_both_sides_are_told_in_their_own_language_and_a_killed_worker_loses_nothing(
    marketplace, smtp_server, receiver, notify_context
):
    catalog = catalog_context()
    with catalog.unit_of_work() as uow:
        vendor_id, vendor_key = register(
            uow,
            legal_name_en="Golden Gate IP Inc.",
            country="US",
            roles=["vendor"],
            timezone="America/Los_Angeles",
            contacts=[
                {"name": "Dana Reyes", "email": "dana@goldengate.example", "notices": ["license"]}
            ],
        )
        licensee_id, licensee_key = register(
            uow,
            legal_name_en="Xinhe Microelectronics",
            legal_name_zh="芯禾微电子",
            country="CN",
            roles=["licensee"],
            locale="zh-Hans",
            timezone="Asia/Shanghai",
            contacts=[{"name": "王磊", "email": "wang.lei@xinhe.example", "notices": ["license"]}],
        )
        uow.commit()
    relay_all(catalog)

    def keys_known():
        with notify_context.session_factory() as session:
            return session.scalar(sa.select(sa.func.count()).select_from(KnownApiKey)) == 2

    wait_until(keys_known, timeout=30, what="the directory to reach notify")
    client = create_app().test_client()
    for key, path in ((vendor_key, "/vendor"), (licensee_key, "/licensee")):
        answer = client.post(
            "/v1/endpoints",
            headers={"Authorization": f"Bearer {key}"},
            json={"url": f"{receiver.base_url}{path}", "event_types": [ISSUED]},
        )
        assert answer.status_code == 201, answer.json
        receiver.secrets[path] = answer.json["secret"]

    licensing = licensing_context()
    event_ids = set()
    with licensing.unit_of_work() as uow:
        for n in range(EVENTS):
            license_id = str(uuid.uuid4())
            event = uow.publish(
                ISSUED,
                license_id,
                {
                    "vendor_id": vendor_id,
                    "licensee_id": licensee_id,
                    "core_id": "core-1",
                    "vlnv": {
                        "vendor": "goldengate",
                        "library": "serdes",
                        "name": "pcie5_phy",
                        "version": "2.1",
                    },
                    "license_id": license_id,
                    "project_name": f"SoC {n}",
                    "expires_at": "2027-11-24T16:00:00+00:00",
                },
            )
            event_ids.add(event.id)
        uow.commit()
    relay_all(licensing)

    # Slow receivers, so that the worker is killed with deliveries in flight.
    receiver.delay["/vendor"] = receiver.delay["/licensee"] = 0.2
    smtp_server.delay = 0.2
    marketplace.start("deliver", "deliver")
    wait_until(lambda: len(receiver.received) >= 4, timeout=30, what="the first deliveries")
    marketplace.stop("deliver", sig="kill")
    assert len(receiver.received) < 2 * EVENTS, "killed too late to prove anything"
    marketplace.start("deliver", "deliver")

    def all_arrived():
        hooks = {
            path: {r.headers["webhook-id"] for r in receiver.on(path)}
            for path in ("/vendor", "/licensee")
        }
        mails = {
            address: {m["Message-ID"] for m in smtp_server.to(address, ISSUED)}
            for address in ("dana@goldengate.example", "wang.lei@xinhe.example")
        }
        return all(ids == event_ids for ids in hooks.values()) and all(
            len(ids) == EVENTS for ids in mails.values()
        )

    wait_until(
        all_arrived,
        timeout=60,
        interval=0.2,
        what="every webhook and email",
        check=lambda: marketplace._check_alive("deliver"),
    )
    assert all(r.verified for r in receiver.received)
    bodies = defaultdict(set)
    for r in receiver.received:  # a repeat is the same message, byte for byte
        bodies[(r.path, r.headers["webhook-id"])].add(r.body)
    assert all(len(b) == 1 for b in bodies.values())
    for address in ("dana@goldengate.example", "wang.lei@xinhe.example"):
        by_id = defaultdict(set)
        for message in smtp_server.to(address, ISSUED):
            by_id[message["Message-ID"]].add(message.get_body(("plain",)).get_content())
        assert len(by_id) == EVENTS and all(len(texts) == 1 for texts in by_id.values())

    english = smtp_server.to("dana@goldengate.example", ISSUED)[0]
    assert english["Content-Language"] == "en"
    assert english["Subject"].startswith("License issued: goldengate:serdes:pcie5_phy:2.1")
    assert "UTC-08:00 (America/Los_Angeles)" in english.get_body(("plain",)).get_content()
    chinese = smtp_server.to("wang.lei@xinhe.example", ISSUED)[0]
    assert chinese["Content-Language"] == "zh-Hans"
    assert chinese["Subject"] == "授权已签发：goldengate:serdes:pcie5_phy:2.1"
    text = chinese.get_body(("plain",)).get_content()
    assert "王磊，您好：" in text and "UTC+08:00 (Asia/Shanghai)" in text
    catalog.engine.dispose()
    licensing.engine.dispose()
    assert marketplace.stop("deliver", timeout=10) == 0  # SIGTERM: a clean, quick stop
