"""Idempotent submission under concurrency: the same Idempotency-Key sent at once by many
clients to a real gunicorn (two worker processes) on PostgreSQL creates one request and one
license."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from ipmarket.broker import free_port
from tests.licensing.conftest import request_body
from tests.support import _ready, wait_until

CLIENTS = 8


def test_concurrent_duplicates_create_one_license(signing_secret, market, processes):
    licensee = market.parties["licensee"]
    core = market.core(market.parties["vendor"], requires_approval=False)
    port = free_port()
    processes.start("licensing", "serve", "licensing", "--bind", f"127.0.0.1:{port}",
                    "--workers", "2", "--threads", "4")
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: _ready(url), timeout=30, what="licensing /readyz",
               check=lambda: processes._check_alive("licensing"))

    def submit_all(key: str, bodies: list[dict]) -> list[requests.Response]:
        start = threading.Barrier(len(bodies))

        def send(body):
            with requests.Session() as session:
                start.wait(timeout=10)
                return session.post(f"{url}/license-requests", json=body, timeout=30,
                                    headers={**licensee.headers, "Idempotency-Key": key})

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
    assert all(r.json()["errors"][0]["field"] == "Idempotency-Key"
               for r in responses if r.status_code == 422)
    assert market.count("license") == 2 and market.count("license_request") == 2
