"""The catalog benchmark's data: generated cores with a realistic spread, bulk-loaded with COPY
after indexing each with the same `index_core` the API uses."""

from __future__ import annotations

import json
import random
import time
import uuid

import sqlalchemy as sa


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
        # A bulk load is not a request: the services' 30 s statement bound does not apply.
        raw.execute("SET statement_timeout = 0")
        with raw.cursor() as cursor, cursor.copy(f"COPY core ({COLUMNS}) FROM STDIN") as copy:
            for row in generate_rows(n, vendors):
                copy.write_row(row)
        raw.commit()
    # What autovacuum does soon after a bulk load: statistics, and the visibility map that
    # index-only scans need.
    with context.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE core"))
    context.engine.dispose()
