"""Portal benchmark (issue 16): 100,000 generated cores on PostgreSQL, the catalog and the web
portal each served by gunicorn as `ipmarket run` serves them (`ipmarket serve`, 2 gevent
workers), the portal calling the catalog's public API over loopback HTTP.

In one run, in alternating rounds (so that a busy machine slows each alike), 8 concurrent
clients ask for:
- the portal's search page (the catalog bench's mix of searches, as a person types and clicks
  them), and the same searches straight on the catalog API (with the portal's page size);
- the portal's core page, and the catalog call it makes (the core with its versions).
For each: p50/p99 latency, pages per second, and the CPU per page of the portal's server, the
catalog's server, PostgreSQL and the clients. The portal's own server time per page is set
beside the catalog's server time per API search. The mix repeats, so both servers answer it
mostly from what they keep (the catalog its matches and summaries, the portal the pages' parts
rendered from the catalog's answers); 200 searches no one asked before then give the price of
a page when neither keeps anything. Then the weight of a search page: its HTML, CSS and
JavaScript as served, and the JavaScript gzip-compressed.

Targets: p99 < 60 ms; the portal adds no more than 1.5× the API's own server time; the search
page under 100 KB, its JavaScript under 30 KB compressed.
Run: `python -m bench portal` (or `python -m bench.portal [N_CORES]`).
"""

from __future__ import annotations

import gzip
import json
import multiprocessing
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bench._catalog_data import load
from bench.catalog import SEARCHES, unseen_searches
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
CLIENTS = 8
ROUNDS = 2
ROUND_SECONDS = 5
WARM_SECONDS = 3
PAGE_SIZE = "20"  # the portal's (services/portal/views/storefront.py)
PROJECT_ROOT = Path(__file__).resolve().parent.parent
KINDS = ("portal search page", "API search", "portal core page", "API core with versions")
FIRST_ASKED = 200  # searches no one asked before: nothing kept by the portal or the catalog


def api_search_path(params: dict) -> str:
    """The catalog call the portal makes for the search page of `params`."""
    query = [("q", params.get("q", "")), ("sort", params.get("sort", "relevance"))]
    query += [("limit", PAGE_SIZE)]
    query += [(k, v) for k, v in params.items() if k not in ("q", "sort")]
    return f"/v1/cores?{urlencode(query)}"


def _get(client: Client, path: str) -> bytes:
    status, body = client.request("GET", path)
    if status != 200:
        raise RuntimeError(f"GET {path}: HTTP {status}: {body[:300]!r}")
    return body


def _one(kind: str, client: Client, rng: random.Random, core_ids: list[str]) -> None:
    if kind == "portal search page":
        _get(client, f"/search?{urlencode(rng.choice(SEARCHES))}")
    elif kind == "API search":
        _get(client, api_search_path(rng.choice(SEARCHES)))
    elif kind == "portal core page":
        _get(client, f"/cores/{rng.choice(core_ids)}")
    else:
        _get(client, f"/v1/cores/{rng.choice(core_ids)}?include=versions")


def _client(args) -> tuple[list[float], float]:
    """(latency of each request in ms, CPU seconds this client spent)."""
    kind, port, seconds, seed, core_ids = args
    rng, client = random.Random(seed), Client(port)
    latencies, cpu = [], time.process_time()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        _one(kind, client, rng, core_ids)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies, time.process_time() - cpu


def _serve(app: str, port: int, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "ipmarket", "serve", app, "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "--workers", "2"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # A loaded machine takes a while to import and start the workers.
    health = "/readyz" if app == "portal" else "/healthz"
    wait_until_serving(port, server, timeout=180, path=health)
    return server


def page_weight(port: int) -> dict[str, int]:
    """Bytes of the search page for "DDR5" as served: its HTML, and the stylesheets and scripts
    it links; `js_gzip`, its scripts gzip-compressed (level 6, a web server's usual)."""
    client = Client(port)
    html = _get(client, "/search?q=DDR5")
    sizes = {"html": len(html), "css": 0, "js": 0, "js_gzip": 0}
    for tag in re.findall(rb"<(?:link|script)\b[^>]*>", html):
        stylesheet = b'rel="stylesheet"' in tag
        address = re.search(rb'(?:href|src)="(/[^"]+)"', tag)
        if address is None or not (stylesheet or tag.startswith(b"<script")):
            continue
        body = _get(client, address.group(1).decode())
        if stylesheet:
            sizes["css"] += len(body)
        else:
            sizes["js"] += len(body)
            sizes["js_gzip"] += len(gzip.compress(body, compresslevel=6))
    return sizes


def main(n_cores: int = CORES, round_seconds: float = ROUND_SECONDS) -> None:
    from ipmarket.broker import free_port

    started = time.monotonic()
    with postgres() as server:
        servers: list[subprocess.Popen] = []
        try:
            url = fresh_database(server, "catalog")
            load(url, n_cores)
            loaded = time.monotonic() - started
            print(f"setup: {n_cores} cores loaded and indexed in {loaded:.1f} s")
            env = {**os.environ, **UNTHROTTLED, "IPMARKET_LOG_LEVEL": "WARNING"}
            api_port, portal_port = free_port(), free_port()
            env["IPMARKET_CATALOG_DATABASE_URL"] = url
            servers.append(_serve("catalog", api_port, env))
            env["IPMARKET_CATALOG_URL"] = f"http://127.0.0.1:{api_port}"
            env["IPMARKET_PORTAL_SECRET_KEY"] = "benchmark session secret, not for production"
            servers.append(_serve("portal", portal_port, env))
            catalog, portal = servers
            core_ids = sorted(
                {
                    item["id"]
                    for params in SEARCHES
                    for item in json.loads(_get(Client(api_port), api_search_path(params)))["items"]
                }
            )
            ports = {kind: portal_port if kind.startswith("portal") else api_port for kind in KINDS}
            pids = (portal.pid, catalog.pid, server.get_pid())
            measured = measure(ports, pids, core_ids, round_seconds)
            report(measured, page_weight(portal_port), first_asked(portal_port, pids))
        finally:
            for process in reversed(servers):
                process.terminate()
                process.wait(20)
    print(f"total run time {time.monotonic() - started:.0f} s")


def measure(ports: dict, pids: tuple, core_ids: list[str], round_seconds: float) -> dict:
    """Each kind's latencies, CPU seconds of (portal, catalog, PostgreSQL, clients) and
    seconds taken, over ROUNDS alternating rounds of CLIENTS concurrent clients."""
    measured = {kind: {"latencies": [], "cpu": [0.0] * 4, "seconds": 0.0} for kind in KINDS}
    with multiprocessing.Pool(CLIENTS) as pool:
        # Warm the workers' caches, connection pools and templates: long enough for each of
        # the two workers of each server to have seen most of the mix's cores (a second was
        # not: the first round of the core pages paid for keeping them).
        for kind in KINDS:
            pool.map(
                _client, [(kind, ports[kind], WARM_SECONDS, -s, core_ids) for s in range(CLIENTS)]
            )
        for round_ in range(ROUNDS):
            for kind in KINDS:
                seeds = range(100 * round_, 100 * round_ + CLIENTS)
                before, t0 = [cpu_seconds(pid) for pid in pids], time.monotonic()
                runs = pool.map(
                    _client, [(kind, ports[kind], round_seconds, s, core_ids) for s in seeds]
                )
                elapsed = time.monotonic() - t0
                spent = [cpu_seconds(pid) - b for pid, b in zip(pids, before)]
                spent.append(sum(cpu for _, cpu in runs))
                into = measured[kind]
                into["latencies"] += [ms for latencies, _ in runs for ms in latencies]
                into["cpu"] = [total + s for total, s in zip(into["cpu"], spent)]
                into["seconds"] += elapsed
    return measured


def first_asked(port: int, pids: tuple) -> list[float]:
    """CPU ms per search page of the portal and of the catalog for FIRST_ASKED searches asked
    for the first time, one after another: what a page costs when neither keeps anything of
    it (the mix above is answered mostly from what both keep, as a busy storefront is)."""
    client = Client(port)
    before = [cpu_seconds(pid) for pid in pids[:2]]
    for params in unseen_searches(FIRST_ASKED, seed=16):
        _get(client, f"/search?{urlencode(params)}")
    return [1000 * (cpu_seconds(pid) - b) / FIRST_ASKED for pid, b in zip(pids, before)]


def report(measured: dict, weight: dict[str, int], first: list[float]) -> None:
    print(
        f"{CLIENTS} concurrent clients, {ROUNDS} alternating rounds of each "
        f"(target: p99 < 60 ms for the portal's pages)"
    )
    print(
        f"  {'':22s} {'p50 ms':>7s} {'p99 ms':>7s} {'per s':>6s}   CPU ms per page/search: "
        "portal, catalog, PostgreSQL, clients"
    )
    per_request = {}
    for kind, m in measured.items():
        done = len(m["latencies"])
        per_request[kind] = [1000 * cpu / done for cpu in m["cpu"]]
        print(
            f"  {kind:22s} {percentile(m['latencies'], 50):7.1f} "
            f"{percentile(m['latencies'], 99):7.1f} {done / m['seconds']:6.0f}   "
            + ", ".join(f"{ms:.2f}" for ms in per_request[kind])
        )
    for page, api in (("search", "API search"), ("core", "API core with versions")):
        own, catalogs = per_request[f"portal {page} page"][0], per_request[api][1]
        print(
            f"portal's own server CPU per {page} page {own:.2f} ms = {own / catalogs:.2f}× the "
            f"catalog's per {api.removeprefix('API ')} ({catalogs:.2f} ms; target ≤ 1.5×)"
        )
    print(
        f"searches asked for the first time ({FIRST_ASKED}, one at a time, nothing kept): "
        f"portal {first[0]:.2f} ms, catalog {first[1]:.2f} ms per page = {first[0] / first[1]:.2f}×"
    )
    total = weight["html"] + weight["css"] + weight["js"]
    print(
        f'search page ("DDR5", 20 results): HTML {weight["html"] / 1000:.1f} KB + CSS '
        f"{weight['css'] / 1000:.1f} KB + JavaScript {weight['js'] / 1000:.1f} KB = "
        f"{total / 1000:.1f} KB (target < 100 KB); JavaScript gzip-compressed "
        f"{weight['js_gzip'] / 1000:.1f} KB (target < 30 KB)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else CORES)
