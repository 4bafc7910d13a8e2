"""Licensing benchmark: issuance and verification through HTTP on PostgreSQL, offline
verification in one process, beside the raw Ed25519 sign and verify rates of this machine
(the physical limit), all measured in one run of about a minute on loopback only. The CPU per
operation is measured in the closed loops, where it is the cost of one more operation (at a
steady 200/s each request also pays alone for waking the server).

Targets: ≥ 500 licenses/s issued; p99 < 50 ms at a steady 200 requests/s; HTTP verify p99
< 10 ms; offline verify ≥ 70 % of the raw Ed25519 verify rate.

The load generator runs on the same two cores as the server and PostgreSQL, so it is kept
light (a plain-socket HTTP client, see Client); the requests and the work they ask for are the
same as with any client.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench._load import closed_loop, rates_of, steady
from bench.setup import (
    UNTHROTTLED,
    Client,
    cpu_seconds,
    fresh_database,
    percentile,
    postgres,
    wait_until_serving,
)
from ipmarket.broker import free_port

WORKERS = 2  # `ipmarket serve`'s default: one gevent worker per core
STEADY_RATE = 200  # requests/s
STEADY_SECONDS = 10
CLOSED_LOOP_SECONDS = 10
WARM_UP_SECONDS = 3
CLOSED_LOOP_CLIENTS = 16
SECRET = "benchmark signing secret, not for production"


@contextmanager
def postgres_database():
    """(database URL, the PostgreSQL server's pid)."""
    with postgres() as pg:
        yield fresh_database(pg, "licensing"), pg.get_pid()


def seed(url: str) -> tuple[str, dict]:
    """A licensee's API key and a core whose evaluation offer needs no approval, put into the
    licensing projections through the service's own event handlers."""
    from services.licensing.app import build_context
    from services.licensing.handlers import event_handlers
    from shared.db.schema import new_id, utcnow
    from shared.directory import generate_api_key
    from shared.events import new_event

    context = build_context(url)
    vendor_id, licensee_id, core_id = new_id(), new_id(), new_id()
    key, key_hash = generate_api_key()
    org = {
        "legal_name_zh": None,
        "country": "HK",
        "region": "hong_kong",
        "locale": "en",
        "timezone": "Asia/Hong_Kong",
        "contacts": [],
        "version": 1,
    }
    core = {
        "core_id": core_id,
        "vendor_id": vendor_id,
        "title_en": "USB 3.2 PHY",
        "vlnv": {"vendor": "bench", "library": "io", "name": "usb3_phy", "version": "1.0"},
        "category": "interface",
        "status": "published",
        "eccn": "EAR99",
        "territory_restrictions": [],
        "standards": [],
        "deliverables": [{"kind": "rtl", "name": "rtl.tgz", "sha256": "a" * 64}],
        "offers": [
            {
                "offer_id": "eval",
                "kind": "evaluation",
                "on_request": False,
                "term_months": 3,
                "seats": 1,
                "requires_approval": False,
            }
        ],
        "version": 1,
    }
    events = [
        (
            "ipmarket.organisation.registered.v1",
            {**org, "organisation_id": vendor_id, "legal_name_en": "Vendor", "roles": ["vendor"]},
        ),
        (
            "ipmarket.organisation.registered.v1",
            {
                **org,
                "organisation_id": licensee_id,
                "legal_name_en": "Licensee",
                "roles": ["licensee"],
            },
        ),
        (
            "ipmarket.api_key.created.v1",
            {
                "key_id": new_id(),
                "organisation_id": licensee_id,
                "name": "bench",
                "key_hash": key_hash,
                "created_at": utcnow().isoformat(),
            },
        ),
        ("ipmarket.core.published.v1", core),
    ]
    handlers = event_handlers()
    with context.session_factory() as session, session.begin():
        for event_type, data in events:
            handlers[event_type](new_event(event_type, "/bench", "bench", data), session)
    context.engine.dispose()
    body = {
        "core_id": core_id,
        "offer_id": "eval",
        "project_name": "bench",
        "intended_use": "benchmark",
        "end_use_country": "SG",
    }
    return key, body


def main() -> None:
    from services.licensing.domain.verification import read_status_list, verify_license
    from shared.jws import public_keys_from_jwks

    with postgres_database() as (url, pg_pid):
        key, body = seed(url)
        port = free_port()
        env = {
            **os.environ,
            **UNTHROTTLED,
            "IPMARKET_LICENSING_DATABASE_URL": url,
            "IPMARKET_SIGNING_KEY_SECRET": SECRET,
            "IPMARKET_LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ipmarket",
                "serve",
                "licensing",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_serving(port, server)
            auth = {"Authorization": f"Bearer {key}"}

            issue_body = json.dumps(body).encode()
            issue_headers = {"Content-Type": "application/json", **auth}

            def issue(client):  # the same request each time: encoded once; the answer unparsed
                return client.request("POST", "/v1/license-requests", issue_body, issue_headers)[0]

            # Warm every worker first (prepared statements, compiled SQL, decrypted key): a
            # worker's first hundred issuances cost nearly twice the CPU of the rest.
            closed_loop(port, issue, WARM_UP_SECONDS, CLOSED_LOOP_CLIENTS)

            def cpu_now():
                return cpu_seconds(server.pid), cpu_seconds(pg_pid)

            def cpu_ms_per(count, before):  # [server, PostgreSQL] since `before`
                return [1000 * (a - b) / count for a, b in zip(cpu_now(), before)]

            before = cpu_now()
            issued, issue_rate = closed_loop(port, issue, CLOSED_LOOP_SECONDS, CLOSED_LOOP_CLIENTS)
            issue_cpu = cpu_ms_per(issued, before)
            issue_latencies = steady(port, issue, STEADY_RATE, STEADY_SECONDS)

            client = Client(port)
            status, request = client.post("/v1/license-requests", body, auth)
            license_text = client.get(f"/v1/licenses/{request['license_id']}/file", auth)
            jwks = json.loads(client.get("/.well-known/jwks.json", {}))
            status_list = client.get("/v1/licenses/status-list", {})

            def verify(client):
                status, result = client.post("/v1/licenses/verify", {"license": license_text}, {})
                return status if result["result"] == "VALID" else 500

            before = cpu_now()
            verified, verify_rate = closed_loop(
                port, verify, CLOSED_LOOP_SECONDS / 2, CLOSED_LOOP_CLIENTS
            )
            verify_cpu = cpu_ms_per(verified, before)
            verify_latencies = steady(port, verify, STEADY_RATE, STEADY_SECONDS / 2)
        finally:
            server.terminate()
            server.wait(20)

    keys = public_keys_from_jwks(jwks)
    statuses = read_status_list(status_list, keys)
    assert verify_license(license_text, keys, statuses).valid
    private_key = Ed25519PrivateKey.generate()
    message = b"x" * len(license_text)  # the size of a license's signing input, about
    signature = private_key.sign(message)
    public_key = private_key.public_key()
    rates = rates_of(
        {
            "sign": lambda: private_key.sign(message),
            "verify": lambda: public_key.verify(signature, message),
            "offline": lambda: verify_license(license_text, keys, statuses),
        },
        seconds=6,
    )
    raw_sign, raw_verify, offline = rates["sign"], rates["verify"], rates["offline"]

    def line(name, value, unit, target=""):
        print(f"  {name:<44} {value:>10.1f} {unit:<10} {target}")

    print(f"licensing ({WORKERS} gunicorn gevent workers, PostgreSQL, {os.cpu_count()} cores)")
    line("raw Ed25519 sign", raw_sign, "ops/s")
    line("raw Ed25519 verify", raw_verify, "ops/s")
    line(
        f"issuance, closed loop ({CLOSED_LOOP_CLIENTS} clients, {issued} licenses)",
        issue_rate,
        "licenses/s",
        "target ≥ 500",
    )
    line("  CPU per issuance: server", issue_cpu[0], "ms")
    line("  CPU per issuance: PostgreSQL", issue_cpu[1], "ms")
    line(
        f"  {os.cpu_count()} cores allow at most",
        os.cpu_count() * 1000 / sum(issue_cpu),
        "licenses/s",
    )
    line(f"issuance at {STEADY_RATE}/s: p50", percentile(issue_latencies, 50), "ms")
    line(f"issuance at {STEADY_RATE}/s: p99", percentile(issue_latencies, 99), "ms", "target < 50")
    line(
        f"HTTP verify, closed loop ({CLOSED_LOOP_CLIENTS} clients, {verified})",
        verify_rate,
        "ops/s",
    )
    line("  CPU per verification: server", verify_cpu[0], "ms")
    line("  CPU per verification: PostgreSQL", verify_cpu[1], "ms")
    line(f"HTTP verify at {STEADY_RATE}/s: p50", percentile(verify_latencies, 50), "ms")
    line(
        f"HTTP verify at {STEADY_RATE}/s: p99",
        percentile(verify_latencies, 99),
        "ms",
        "target < 10",
    )
    line("offline verify (one process)", offline, "ops/s")
    line("offline verify / raw Ed25519 verify", 100 * offline / raw_verify, "%", "target ≥ 70")


if __name__ == "__main__":
    main()
