"""The licensing scheduler: each expiry notice once (also across restarts), expiry, lapse of
undecided requests, and a clean stop on SIGTERM."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import sqlalchemy as sa

from services.licensing.scheduler import LicensingScheduler
from tests.integration.licensing.conftest import request_body
from tests.support import wait_until


def notices(market) -> list[tuple[str, int]]:
    with market.context.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT event_type, payload FROM outbox WHERE event_type IN "
                "('ipmarket.license.expiring.v1', 'ipmarket.license.expired.v1') ORDER BY seq"
            )
        )
        return [(t.split(".")[2], json.loads(p)["data"].get("days_ahead")) for t, p in rows]


def issue(client, market, **core_options):
    core = market.core(market.parties["vendor"], requires_approval=False, **core_options)
    lic_id = client.post(
        "/v1/license-requests", json=request_body(core), headers=market.parties["licensee"].headers
    ).json["license_id"]
    return client.get(f"/v1/licenses/{lic_id}", headers=market.parties["vendor"].headers).json


def test_expiry_notices_are_sent_once_each_across_restarts(client, market):
    lic = issue(client, market, term_months=2)
    expires = datetime.fromisoformat(lic["expires_at"])
    scheduler = LicensingScheduler(market.context)
    assert scheduler.tick(expires - timedelta(days=40))["expiring"] == 0
    assert scheduler.tick(expires - timedelta(days=29))["expiring"] == 1
    assert scheduler.tick(expires - timedelta(days=28))["expiring"] == 0
    restarted = LicensingScheduler(market.context)  # a new process remembers what was sent
    assert restarted.tick(expires - timedelta(days=20))["expiring"] == 0
    assert restarted.tick(expires - timedelta(days=6))["expiring"] == 1
    assert restarted.tick(expires - timedelta(hours=12))["expiring"] == 1
    assert restarted.tick(expires - timedelta(hours=1))["expiring"] == 0
    assert notices(market) == [("expiring", 30), ("expiring", 7), ("expiring", 1)]

    assert restarted.tick(expires + timedelta(seconds=1))["expired"] == 1
    assert restarted.tick(expires + timedelta(seconds=2))["expired"] == 0
    assert notices(market)[-1] == ("expired", None)
    expired = client.get(f"/v1/licenses/{lic['id']}", headers=market.parties["vendor"].headers).json
    assert expired["state"] == "expired"


def test_a_license_found_late_gets_only_the_nearest_notice(client, market):
    lic = issue(client, market, term_months=1)
    expires = datetime.fromisoformat(lic["expires_at"])
    LicensingScheduler(market.context).tick(expires - timedelta(days=5))
    assert notices(market) == [("expiring", 7)]


def test_perpetual_licenses_never_expire(client, market):
    lic = issue(client, market, term_months=None, kind="perpetual")
    assert lic["expires_at"] is None and "exp" not in lic["claims"]
    counts = LicensingScheduler(market.context).tick(
        datetime.fromisoformat(lic["issued_at"]) + timedelta(days=10000)
    )
    assert counts["expiring"] == counts["expired"] == 0


def test_undecided_requests_lapse_after_the_ttl(client, market):
    core = market.core(market.parties["vendor"])  # needs approval
    req = client.post(
        "/v1/license-requests", json=request_body(core), headers=market.parties["licensee"].headers
    ).json
    lapse = datetime.fromisoformat(req["expires_at"])
    scheduler = LicensingScheduler(market.context)
    assert scheduler.tick(lapse - timedelta(minutes=1))["requests_expired"] == 0
    assert scheduler.tick(lapse)["requests_expired"] == 1
    path = f"/v1/license-requests/{req['id']}"
    assert client.get(path, headers=market.parties["vendor"].headers).json["state"] == "expired"
    assert (
        client.post(
            f"{path}/approve", json={}, headers=market.parties["vendor"].headers
        ).status_code
        == 409
    )


def test_scheduler_process_stops_cleanly_on_sigterm(processes):
    processes.start("scheduler", "licensing-scheduler", "--interval", "0.2")
    wait_until(
        lambda: "licensing scheduler: every" in processes.log("scheduler"),
        timeout=30,
        what="scheduler start",
        check=lambda: processes._check_alive("scheduler"),
    )
    assert processes.stop("scheduler", timeout=15) == 0
    assert "licensing scheduler: stopped" in processes.log("scheduler")
