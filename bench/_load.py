"""Load generation and measurement for the HTTP benchmarks: closed loops (as fast as some
connections go), an open loop at a steady rate (latency from each request's scheduled start),
and the alternating-rounds rate of in-process operations."""

from __future__ import annotations

import threading
import time

from bench.setup import Client

SENDERS = 32  # threads of the open-loop load generator


def rates_of(operations: dict, seconds: float) -> dict[str, float]:
    """Operations per second of each `operations[name]()`, measured in alternating rounds over
    the same `seconds`, so that a busy machine slows each of them alike and their ratio holds."""
    spent = dict.fromkeys(operations, 0.0)
    rounds, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for name, operation in operations.items():
            start = time.perf_counter()
            for _ in range(100):
                operation()
            spent[name] += time.perf_counter() - start
        rounds += 1
    return {name: rounds * 100 / spent[name] for name in operations}


def closed_loop(port: int, send, seconds: float, clients: int) -> tuple[int, float]:
    """As many requests as `clients` connections get through in `seconds`: (count, rate)."""
    stop_at = time.perf_counter() + seconds
    counts = [0] * clients
    failures = []

    def run(i):
        client = Client(port)
        while time.perf_counter() < stop_at:
            status = send(client)
            if status >= 300:
                failures.append(status)
            counts[i] += 1

    start = time.perf_counter()
    _in_threads(run, clients, failures)
    return sum(counts), sum(counts) / (time.perf_counter() - start)


def steady(port: int, send, rate: float, seconds: float) -> list[float]:
    """Open loop at `rate`: latency of each request from its scheduled start (so that a slow
    server cannot hide its queueing), in milliseconds."""
    total = int(rate * seconds)
    start = time.perf_counter() + 0.1
    latencies: list[float] = []
    failures = []

    def run(first):
        client = Client(port)
        for k in range(first, total, SENDERS):
            scheduled = start + k / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            status = send(client)
            latencies.append((time.perf_counter() - scheduled) * 1000)
            if status >= 300:
                failures.append(status)

    _in_threads(run, SENDERS, failures)
    return latencies


def _in_threads(run, count: int, failures: list) -> None:
    """`run(i)` for i in range(count), each in its own thread; then fail on any failure."""
    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. HTTP {failures[0]}")
