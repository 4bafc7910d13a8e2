"""Submission to a real gunicorn on PostgreSQL: the same Idempotency-Key sent at once by many
clients creates one request and one license; a request waiting for the database does not hold
up the other requests of its worker."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa

from ipmarket.broker import free_port
from tests.integration.licensing.conftest import request_body
from tests.support import _ready, wait_until

CLIENTS = 8


def serve_licensing(processes, workers: int) -> str:
    port = free_port()
    processes.start(
        "licensing", "serve", "licensing", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)
    )
    url = f"http://127.0.0.1:{port}"
    wait_until(
        lambda: _ready(url),
        timeout=30,
        what="licensing /readyz",
        check=lambda: processes._check_alive("licensing"),
    )
    return url


def test_concurrent_duplicates_create_one_license(signing_secret, market, processes):
    licensee = market.parties["licensee"]
    core = market.core(market.parties["vendor"], requires_approval=False)
    url = serve_licensing(processes, workers=2)

    def submit_all(key: str, bodies: list[dict]) -> list[requests.Response]:
        start = threading.Barrier(len(bodies))

        def send(body):
            with requests.Session() as session:
                start.wait(timeout=10)
                return session.post(
                    f"{url}/v1/license-requests",
                    json=body,
                    timeout=30,
                    headers={**licensee.headers, "Idempotency-Key": key},
                )

        with ThreadPoolExecutor(len(bodies)) as pool:
            return list(pool.map(send, bodies))

    responses = submit_all("order-7", [request_body(core)] * CLIENTS)
    assert sorted(r.status_code for r in responses) == [200] * (CLIENTS - 1) + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert len({r.json()["license_id"] for r in responses}) == 1
    assert market.count("license") == 1 and market.count("license_request") == 1

    # The same key with different bodies at once: one wins, the others are told so.
    bodies = [request_body(core, project_name=f"project {i}") for i in range(4)]
    responses = submit_all("order-8", bodies)
    assert sorted(r.status_code for r in responses) == [201, 422, 422, 422]
    assert all(
        r.json()["errors"][0]["field"] == "Idempotency-Key"
        for r in responses
        if r.status_code == 422
    )
    assert market.count("license") == 2 and market.count("license_request") == 2


def test_one_worker_serves_others_while_a_request_waits_for_the_database(
    signing_secret, market, processes
):
    """The worker's requests are greenlets: one blocked in PostgreSQL (behind a lock this test
    holds) must yield to the others. It would not if psycopg waited in C (imported before
    gevent patched the worker, say)."""
    licensee = market.parties["licensee"]
    core = market.core(market.parties["vendor"], requires_approval=False)
    url = serve_licensing(processes, workers=1)
    engine = market.context.engine

    def waiting_for_lock() -> bool:
        with engine.connect() as conn:
            return (
                conn.scalar(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()"
                    )
                )
                > 0
            )

    with engine.connect() as lock, ThreadPoolExecutor(1) as pool:
        lock.execute(sa.text("LOCK TABLE known_core IN ACCESS EXCLUSIVE MODE"))
        try:
            blocked = pool.submit(
                requests.post,
                f"{url}/v1/license-requests",
                json=request_body(core),
                headers=licensee.headers,
                timeout=60,
            )
            wait_until(waiting_for_lock, what="the request to wait for the lock")
            assert requests.get(f"{url}/.well-known/jwks.json", timeout=10).status_code == 200
            assert (
                requests.get(f"{url}/v1/licenses", headers=licensee.headers, timeout=10).status_code
                == 200
            )
            assert not blocked.done()
        finally:
            lock.rollback()  # releases the lock
        assert blocked.result().status_code == 201
