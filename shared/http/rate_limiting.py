"""Rate limits at the door: which buckets a request counts against, and the 429 it gets when
over (shared.rate_limits keeps the counts)."""

from __future__ import annotations

import ipaddress
import sys
import time

from flask import g, request

from shared.directory import hash_api_key
from shared.http.problems import problem
from shared.rate_limits import RateLimiter


def _rate_limit_buckets(rates: dict) -> list:
    """Who this request counts against: its key and its address, or, without a key, its
    address under the stricter anonymous rate (IPv6 clients by their /64, which one host or
    network usually holds whole)."""
    address = request.remote_addr or "-"
    if ":" in address:
        address = str(ipaddress.ip_network(f"{address}/64", strict=False))
    _, _, key = (request.headers.get("Authorization") or "").partition(" ")
    if key.strip():  # counted before authentication: unknown keys are limited too
        return [
            (f"key:{hash_api_key(key.strip())[:40]}", rates["PER_KEY"]),
            (f"address:{address}", rates["PER_ADDRESS"]),
        ]
    return [(f"anonymous:{address}", rates["ANONYMOUS"])]


def limit_rate(limiter: RateLimiter, rates: dict, delay: float):
    """Count the request; a problem+json 429 with Retry-After when over a limit."""
    g.rate_limit = verdict = limiter.hit(_rate_limit_buckets(rates))
    if not verdict.allowed:
        if delay and _cooperative():
            # A client that ignores Retry-After gets at most one answer per `delay` per
            # connection (and its connections per address are capped): cheap refusals alone
            # still let a tight loop take the worker from every other client. A greenlet
            # waiting costs nothing; a thread (SQLite's worker) would, so it answers at once.
            time.sleep(delay)
        return problem(
            429,
            "Too Many Requests",
            f"at most {verdict.rate.requests} requests per {verdict.rate.seconds} s; "
            f"retry after {verdict.reset_after} s",
            type_="rate-limited",
            headers=verdict.headers(),
        )
    return None


def _cooperative() -> bool:
    """Whether this process runs requests as greenlets (gunicorn's gevent worker)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("time")
