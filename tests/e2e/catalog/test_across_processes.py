"""The catalog with the other services, as real processes on a real Kafka broker: a revoked key
stops working everywhere within 2 seconds, and a published core reaches licensing and notify
as exactly one event."""

from __future__ import annotations

import json
import time

import pytest
import requests
import sqlalchemy as sa

from services.catalog.app import build_context
from services.catalog.organisations import create_api_key, register_organisation
from services.catalog.vendor_names import claim_name, decide
from shared.db.engine import create_engine
from shared.directory import Principal
from shared.events.catalog import CORE_PUBLISHED
from shared.messaging.kafka_io import topic
from tests.integration.catalog.conftest import core_body
from tests.support import read_topic_to_end, wait_until

SERVICES = ("catalog", "licensing", "notify")


def status(url: str, key: str) -> int:
    # Every request is authenticated when it carries a key, /healthz included.
    return requests.get(
        f"{url}/healthz", headers={"Authorization": f"Bearer {key}"}, timeout=2
    ).status_code


def events_on_topic(bootstrap: str, name: str, wanted) -> list[dict]:
    """Every event that `wanted` accepts among those on the topic now (see read_topic_to_end)."""
    return [e for m in read_topic_to_end(bootstrap, name) if wanted(e := json.loads(m.value))]


def relayed(env: dict, service: str, event_type: str, subject: str) -> bool:
    """True when SERVICE's relay has published its outbox's event of EVENT_TYPE about SUBJECT
    (it marks a row published only after the broker acknowledged it)."""
    engine = create_engine(env[f"IPMARKET_{service.upper()}_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return (
                conn.execute(
                    sa.text(
                        "SELECT published_at IS NOT NULL FROM outbox "
                        "WHERE event_type = :type AND aggregate_id = :subject"
                    ),
                    {"type": event_type, "subject": subject},
                ).scalar()
                is True
            )
    finally:
        engine.dispose()


def processed(env: dict, service: str, event_id: str) -> bool:
    engine = create_engine(env[f"IPMARKET_{service.upper()}_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return (
                conn.execute(
                    sa.text("SELECT 1 FROM processed_event WHERE event_id = :id"), {"id": event_id}
                ).first()
                is not None
            )
    finally:
        engine.dispose()


@pytest.fixture
def platform(processes, platform_env):
    urls = {service: processes.serve(service) for service in SERVICES}
    for service in SERVICES:
        processes.start(f"{service}-relay", "relay", service)
    for service in ("licensing", "notify"):
        processes.start(f"{service}-consumer", "consume", service)
    return urls


def test_revoked_key_is_refused_by_every_service_within_two_seconds_and_a_published_core_reaches_licensing_and_notify_once(  # noqa: E501
    platform, platform_env, kafka_broker
):
    context = build_context()
    with context.unit_of_work() as uow:
        org = register_organisation(
            uow, legal_name_en="Shenzhen Pengcheng Semiconductor IP", country="CN", roles=["vendor"]
        )
        api_key, key = create_api_key(uow, org.id, "cross-process")
        operator = Principal(organisation_id=None, roles=frozenset({"admin"}), key_id="test")
        claim = claim_name(uow, operator, org.id, core_body()["vlnv"]["vendor"])
        decide(uow, operator, claim.id, "confirmed")
        uow.commit()
    context.engine.dispose()
    wait_until(
        lambda: all(status(url, key) == 200 for url in platform.values()),
        timeout=30,
        what="the new key to reach every service's directory",
    )

    # --- a published core: one event, handled by licensing and notify --------------------------
    auth = {"Authorization": f"Bearer {key}"}
    core = requests.post(
        f"{platform['catalog']}/v1/cores", json=core_body(), headers=auth, timeout=5
    ).json()
    published = requests.post(
        f"{platform['catalog']}/v1/cores/{core['id']}/publish", headers=auth, timeout=5
    )
    assert published.status_code == 200, published.text
    # Exactly once on the topic, without reading on for a while to see that no copy follows:
    # the relay produces an outbox row only while it is unpublished, and marks it published
    # once the broker has acknowledged it (a repeat, after a crash between the two, goes out
    # before the mark). So once the row is marked, every copy there will ever be lies below
    # the topic's end offsets taken then, and reading up to them sees them all.
    wait_until(
        lambda: relayed(platform_env, "catalog", CORE_PUBLISHED, core["id"]),
        timeout=15,
        what="the catalog's relay to publish core.published",
    )
    events = events_on_topic(
        kafka_broker.bootstrap, topic("catalog"), lambda e: e["subject"] == core["id"]
    )
    assert [e["type"] for e in events] == [CORE_PUBLISHED]
    assert events[0]["data"]["vlnv"]["name"] == "ddr5_phy"

    # --- revocation -----------------------------------------------------------------------------
    revoked = requests.delete(
        f"{platform['catalog']}/v1/organisations/{org.id}/api-keys/{api_key.id}",
        headers=auth,
        timeout=5,
    )
    assert revoked.status_code == 200, revoked.text
    started = time.monotonic()
    wait_until(
        lambda: all(status(url, key) == 401 for url in platform.values()),
        timeout=2,
        interval=0.05,
        what="every service to refuse the revoked key",
    )
    elapsed = time.monotonic() - started
    assert elapsed < 2, elapsed

    for service in ("licensing", "notify"):
        wait_until(
            lambda: processed(platform_env, service, events[0]["id"]),
            timeout=15,
            what=f"{service} to handle the core.published event",
        )
