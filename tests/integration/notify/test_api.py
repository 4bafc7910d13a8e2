"""The notify HTTP API in process, on SQLite and on PostgreSQL: endpoints, secrets, preferences,
watches, dead letters and metrics; bad input is a problem+json naming the field and changes
nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ipmarket.broker import free_port
from services.notify.app import create_app
from services.notify.models import Base, Endpoint
from shared.events import new_event
from tests.support import wait_until

pytestmark = pytest.mark.databases("sqlite", "postgresql")

PROBLEM = "application/problem+json"


@pytest.fixture
def client(platform_env):
    app = create_app()
    yield app.test_client()
    app.extensions["ipmarket"].engine.dispose()


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def snapshot(context) -> dict:
    """Every row of every notify table: to show that a refused request changed nothing (but
    for the rate limit's count of requests, which every request adds to)."""
    with context.engine.connect() as conn:
        return {
            table.name: sorted(map(repr, conn.execute(sa.select(table)).all()))
            for table in Base.metadata.sorted_tables
            if table.name != "rate_limit_counter"
        }


def core_event(core_id: str, vendor_id: str, version: str = "1.0", status: str = "published"):
    return new_event(
        f"ipmarket.core.{status}.v1",
        "/ipmarket/catalog",
        core_id,
        {
            "core_id": core_id,
            "vendor_id": vendor_id,
            "vlnv": {"vendor": "pearl", "library": "serdes", "name": "pcie5", "version": version},
            "title_en": "PCIe 5 PHY",
            "title_zh": "PCIe 5 物理层",
            "category": "interface",
            "status": status,
            "eccn": "EAR99",
            "territory_restrictions": [],
            "standards": [],
            "deliverables": [],
            "offers": [],
            "version": 1,
        },
    )


def test_an_endpoint_is_registered_and_its_secret_shown_once(client, organisation, receiver):
    _, key = organisation("Golden Gate IP Inc.", roles=["vendor"])
    answer = client.post(
        "/v1/endpoints",
        headers=auth(key),
        json={
            "url": f"{receiver.base_url}/hooks",
            "description": "ERP",
            "event_types": ["ipmarket.license.issued.v1"],
        },
    )
    assert answer.status_code == 201, answer.json
    created = answer.json
    assert created["secret"].startswith("whsec_") and created["public_key"] is None
    assert created["schemes"] == ["v1"] and created["disabled_at"] is None
    shown = client.get(f"/v1/endpoints/{created['id']}", headers=auth(key)).json
    assert "secret" not in shown and shown["url"] == f"{receiver.base_url}/hooks"
    listed = client.get("/v1/endpoints", headers=auth(key)).json
    assert listed["next"] is None
    assert [e["id"] for e in listed["items"]] == [created["id"]]
    assert "secret" not in listed["items"][0]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/hook", "http://169.254.169.254/latest/", "http://10.0.0.1/hook"]
)
def test_private_addresses_are_refused_at_registration(
    client, organisation, notify_context, monkeypatch, url
):
    _, key = organisation("Xinhe Chip", country="CN")
    monkeypatch.setenv("IPMARKET_WEBHOOK_ALLOW_PRIVATE", "false")
    before = snapshot(notify_context)
    answer = client.post("/v1/endpoints", headers=auth(key), json={"url": url})
    assert answer.status_code == 422 and answer.content_type == PROBLEM
    assert answer.json["errors"][0]["field"] == "url" and "refused" in answer.json["detail"]
    assert snapshot(notify_context) == before


def test_bad_input_on_every_endpoint_is_a_problem_naming_the_field_and_changes_nothing(
    client, organisation, notify_context, receiver, handle
):
    vendor_id, vendor_key = organisation("Golden Gate IP Inc.", roles=["vendor"])
    _, key = organisation("Xinhe Chip", country="CN", locale="zh-Hans")
    handle(core_event("core-1", vendor_id))
    endpoint = client.post(
        "/v1/endpoints", headers=auth(key), json={"url": f"{receiver.base_url}/x"}
    ).json
    e = endpoint["id"]
    cases = [
        ("post", "/v1/endpoints", {"json": {}}, 422, "url"),
        ("post", "/v1/endpoints", {"json": {"url": "x", "colour": "red"}}, 422, "colour"),
        ("post", "/v1/endpoints", {"json": {"url": "ftp://example.com/"}}, 422, "url"),
        (
            "post",
            "/v1/endpoints",
            {"json": {"url": f"{receiver.base_url}/y", "event_types": ["ipmarket.nope.v1"]}},
            422,
            "event_types.0",
        ),
        (
            "post",
            "/v1/endpoints",
            {"json": {"url": f"{receiver.base_url}/y", "schemes": ["v2"]}},
            422,
            "schemes.0",
        ),
        (
            "post",
            "/v1/endpoints",
            {"json": {"url": f"{receiver.base_url}/y", "schemes": []}},
            422,
            "schemes",
        ),
        (
            "post",
            "/v1/endpoints",
            {"data": "not json", "content_type": "application/json"},
            400,
            None,
        ),
        ("patch", f"/v1/endpoints/{e}", {"json": {"url": "http://[::1"}}, 422, "url"),
        ("patch", f"/v1/endpoints/{e}", {"json": {"enabled": "maybe"}}, 422, "enabled"),
        (
            "patch",
            f"/v1/endpoints/{e}",
            {"json": {"url": f"{receiver.base_url}/ok", "event_types": ["x"]}},
            422,
            "event_types.0",
        ),
        ("patch", "/v1/endpoints/nope", {"json": {"description": "d"}}, 404, None),
        ("delete", "/v1/endpoints/nope", {}, 404, None),
        ("post", "/v1/endpoints/nope/secret/rotate", {}, 404, None),
        ("get", f"/v1/endpoints/{e}/public-key", {}, 404, None),
        ("get", f"/v1/endpoints/{e}/attempts", {"query_string": {"limit": "0"}}, 422, "limit"),
        (
            "get",
            f"/v1/endpoints/{e}/attempts",
            {"query_string": {"since": "yesterday"}},
            422,
            "since",
        ),
        ("get", f"/v1/endpoints/{e}/deliveries", {"query_string": {"state": "lost"}}, 422, "state"),
        ("post", f"/v1/endpoints/{e}/replay", {"json": {}}, 422, "since"),
        (
            "post",
            f"/v1/endpoints/{e}/replay",
            {"json": {"since": "2026-01-01T00:00:00"}},
            422,
            "since",
        ),
        ("post", "/v1/deliveries/nope/replay", {}, 404, None),
        ("get", "/v1/deliveries", {"query_string": {"channel": "pigeon"}}, 422, "channel"),
        ("get", "/v1/deliveries", {"query_string": {"cursor": "not-one"}}, 422, "cursor"),
        ("get", "/v1/deliveries/nope", {}, 404, None),
        ("get", "/v1/deliveries/nope/attempts", {}, 404, None),
        (
            "put",
            "/v1/preferences/ipmarket.license.issued.v1",
            {"json": {"email": True}},
            422,
            "webhook",
        ),
        (
            "put",
            "/v1/preferences/ipmarket.nope.v1",
            {"json": {"email": True, "webhook": False}},
            404,
            None,
        ),
        ("post", "/v1/watches", {"json": {"kind": "planet", "target_id": "x"}}, 422, "kind"),
        (
            "post",
            "/v1/watches",
            {"json": {"kind": "core", "target_id": "no-such-core"}},
            422,
            "target_id",
        ),
        (
            "post",
            "/v1/watches",
            {"json": {"kind": "vendor", "target_id": "no-such-vendor"}},
            422,
            "target_id",
        ),
        ("delete", "/v1/watches/nope", {}, 404, None),
        ("get", "/v1/admin/dead-letters", {}, 403, None),
        ("get", "/metrics", {}, 403, None),
    ]
    before = snapshot(notify_context)
    for method, path, options, status, field in cases:
        answer = getattr(client, method)(path, headers=auth(key), **options)
        assert answer.status_code == status, (method, path, answer.json)
        assert answer.content_type == PROBLEM, (method, path)
        assert answer.json["status"] == status and answer.json["title"]
        if field:
            assert field in [error["field"] for error in answer.json["errors"]], (path, answer.json)
    # Without a key, and with someone else's endpoint:
    assert client.post("/v1/endpoints", json={"url": "x"}).status_code == 401
    assert client.get(f"/v1/endpoints/{e}", headers=auth(vendor_key)).status_code == 404
    assert (
        client.post(
            "/v1/watches", headers=auth(vendor_key), json={"kind": "core", "target_id": "core-1"}
        ).status_code
        == 403
    )
    assert snapshot(notify_context) == before


def test_rotation_keeps_the_old_secret_valid_for_a_day(
    client, organisation, receiver, notify_context
):
    from services.notify.webhook_endpoints import valid_secrets

    _, key = organisation("Xinhe Chip", country="CN")
    created = client.post(
        "/v1/endpoints", headers=auth(key), json={"url": f"{receiver.base_url}/r"}
    ).json
    rotated = client.post(f"/v1/endpoints/{created['id']}/secret/rotate", headers=auth(key))
    assert rotated.status_code == 200
    new = rotated.json["secret"]
    assert new.startswith("whsec_") and new != created["secret"]
    with notify_context.session_factory() as session:
        endpoint = session.get(Endpoint, created["id"])
        now = datetime.now(UTC)
        assert valid_secrets(endpoint, now) == [new, created["secret"]]
        assert valid_secrets(endpoint, now + timedelta(hours=24, seconds=1)) == [new]


def test_an_ed25519_endpoint_has_a_downloadable_public_key(client, organisation, receiver):
    _, key = organisation("Pearl River Silicon", country="HK", locale="zh-Hant")
    created = client.post(
        "/v1/endpoints",
        headers=auth(key),
        json={"url": f"{receiver.base_url}/ed", "schemes": ["v1", "v1a"]},
    ).json
    assert created["public_key"].startswith("whpk_")
    answer = client.get(f"/v1/endpoints/{created['id']}/public-key", headers=auth(key))
    assert answer.json == {"public_key": created["public_key"]}


def test_preferences_default_to_both_channels_and_can_be_changed(client, organisation):
    _, key = organisation("Xinhe Chip", country="CN")
    preferences = client.get("/v1/preferences", headers=auth(key)).json
    assert preferences["ipmarket.license.issued.v1"] == {"email": True, "webhook": True}
    answer = client.put(
        "/v1/preferences/ipmarket.license.issued.v1",
        headers=auth(key),
        json={"email": False, "webhook": True},
    )
    assert answer.status_code == 200
    preferences = client.get("/v1/preferences", headers=auth(key)).json
    assert preferences["ipmarket.license.issued.v1"] == {"email": False, "webhook": True}
    assert preferences["ipmarket.license.revoked.v1"] == {"email": True, "webhook": True}


def test_a_licensee_watches_a_core_and_a_vendor(client, organisation, handle):
    vendor_id, _ = organisation("Golden Gate IP Inc.", roles=["vendor"])
    _, key = organisation("Xinhe Chip", country="CN")
    handle(core_event("core-1", vendor_id))
    core = client.post(
        "/v1/watches", headers=auth(key), json={"kind": "core", "target_id": "core-1"}
    )
    assert core.status_code == 201
    vendor = client.post(
        "/v1/watches", headers=auth(key), json={"kind": "vendor", "target_id": vendor_id}
    )
    assert vendor.status_code == 201
    again = client.post(
        "/v1/watches", headers=auth(key), json={"kind": "core", "target_id": "core-1"}
    )
    assert again.status_code == 409 and again.json["watch_id"] == core.json["id"]
    listed = client.get("/v1/watches", headers=auth(key)).json["items"]
    assert {(w["kind"], w["target_id"]) for w in listed} == {
        ("core", "core-1"),
        ("vendor", vendor_id),
    }
    assert client.delete(f"/v1/watches/{core.json['id']}", headers=auth(key)).status_code == 204
    assert len(client.get("/v1/watches", headers=auth(key)).json["items"]) == 1


def test_admins_see_dead_letters_and_metrics(client, organisation):
    _, key = organisation("ipmarket operator", country="CN", roles=["admin"])
    assert client.get("/v1/admin/dead-letters", headers=auth(key)).json == {
        "items": [],
        "next": None,
    }
    metrics = client.get("/metrics", headers=auth(key))
    assert metrics.status_code == 200 and metrics.content_type.startswith("text/plain")
    text = metrics.get_data(as_text=True)
    assert 'ipmarket_notify_deliveries{channel="email",state="pending"} 2' in text  # welcome, key
    assert "ipmarket_notify_broker_up 1" in text
    # A fresh broker may not have a group coordinator at once.
    wait_until(
        lambda: (
            'ipmarket_notify_consumer_lag{group="'
            in client.get("/metrics", headers=auth(key)).get_data(as_text=True)
        ),
        timeout=15,
        interval=0.5,
        what="consumer lag figures",
    )


@pytest.mark.databases("sqlite")  # the broker's part, not the database's
def test_metrics_report_a_broker_that_is_down_before_a_scrape_gives_up(
    client, organisation, monkeypatch
):
    _, key = organisation("ipmarket operator", country="CN", roles=["admin"])
    monkeypatch.setenv("IPMARKET_KAFKA_BOOTSTRAP", f"127.0.0.1:{free_port()}")  # none listens
    started = time.monotonic()
    metrics = client.get("/metrics", headers=auth(key))
    took = time.monotonic() - started
    assert metrics.status_code == 200
    assert "ipmarket_notify_broker_up 0" in metrics.get_data(as_text=True)
    # Prometheus gives up on a scrape after 10 s by default; left to itself kafka-python waits
    # 30 s for a first answer from the broker.
    assert took < 10, f"/metrics took {took:.1f} s with the broker down"


def test_deliveries_come_in_pages_resumed_by_their_cursor(client, organisation):
    _, key = organisation("Xinhe Chip", country="CN")  # welcomed, and told of its key
    everything = client.get("/v1/deliveries", headers=auth(key)).json
    assert len(everything["items"]) >= 2 and everything["next"] is None
    seen, cursor = [], None
    while True:
        query = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/deliveries", headers=auth(key), query_string=query).json
        seen += [d["id"] for d in page["items"]]
        if (cursor := page["next"]) is None:
            break
        assert len(page["items"]) == 1
    assert seen == [d["id"] for d in everything["items"]]  # newest first, none twice
    one = client.get(f"/v1/deliveries/{seen[0]}", headers=auth(key)).json
    assert one["id"] == seen[0] and one["state"] in ("pending", "succeeded", "failed")


def test_the_paths_that_said_messages_answer_308_to_deliveries(client, organisation):
    _, key = organisation("Xinhe Chip", country="CN")
    for old, new in [
        ("/v1/messages?channel=email&limit=5", "/v1/deliveries?channel=email&limit=5"),
        ("/v1/messages/d-1/attempts", "/v1/deliveries/d-1/attempts"),
        ("/v1/endpoints/e-1/messages?state=failed", "/v1/endpoints/e-1/deliveries?state=failed"),
    ]:
        moved = client.get(old, headers=auth(key))
        assert moved.status_code == 308 and moved.headers["Location"].endswith(new), old
    replay = client.post("/v1/messages/d-1/replay", headers=auth(key))
    assert replay.status_code == 308
    assert replay.headers["Location"].endswith("/v1/deliveries/d-1/replay")
    followed = client.get("/v1/messages", headers=auth(key), follow_redirects=True)
    assert followed.status_code == 200 and set(followed.json) == {"items", "next"}
