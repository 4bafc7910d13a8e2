"""Identity benchmark (issue 15), in one run on loopback and PostgreSQL:

1. The same authenticated licensing GET (/v1/license-requests) with an organisation's API key
   and with a person's access token, server CPU per request side by side, in alternating
   rounds (key, token, key, token) so that a change in the machine's load hits both alike.
   The server is configured as in production: a principal found is reused for 0.5 s
   (Directory.REMEMBER_SECONDS), for keys and tokens alike.
2. Sign-in throughput: POST /v1/sessions on the catalog (e-mail and password, Argon2id at the
   chosen parameters, services/catalog/password_hashing.py), beside the raw argon2-cffi hash
   and verify rates of one core at the same parameters (the physical limit).

Target: a request with a person's token costs ≤ 0.2 ms of server CPU more than with a key.

The load generator runs on the same cores as the servers and PostgreSQL; a busy machine makes
every figure noisier, the side-by-side difference less so.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager

from bench._load import closed_loop, rates_of
from bench.setup import UNTHROTTLED, cpu_seconds, fresh_database, postgres, wait_until_serving
from ipmarket.broker import free_port

WORKERS = 2  # `ipmarket serve`'s default: one gevent worker per core
ROUNDS = 2  # of each credential, alternating
ROUND_SECONDS = 5
WARM_UP_SECONDS = 2
CLIENTS = 8
SIGN_IN_SECONDS = 8
SIGN_IN_CLIENTS = 4
PASSWORD = "plum kettle orbit 47"
SECRET = "benchmark signing secret, not for production"


def seed_licensing(url: str) -> tuple[str, str]:
    """(an API key, a person's access token) of one licensee, put into the licensing
    projections through the service's own event handlers, as the catalog's events would."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from services.catalog.domain.access_tokens import issue
    from services.licensing.app import build_context
    from services.licensing.handlers import event_handlers
    from shared import jws
    from shared.db.schema import new_id, utcnow
    from shared.directory import generate_api_key
    from shared.events import new_event

    context = build_context(url)
    licensee_id, person_id, kid = new_id(), new_id(), new_id()
    key, key_hash = generate_api_key()
    token_key = Ed25519PrivateKey.generate()
    now = utcnow()
    events = [
        (
            "ipmarket.organisation.registered.v1",
            {
                "organisation_id": licensee_id,
                "legal_name_en": "Licensee",
                "legal_name_zh": None,
                "country": "HK",
                "region": "hong_kong",
                "roles": ["licensee"],
                "locale": "en",
                "timezone": "Asia/Hong_Kong",
                "contacts": [],
                "version": 1,
            },
        ),
        (
            "ipmarket.api_key.created.v1",
            {
                "key_id": new_id(),
                "organisation_id": licensee_id,
                "name": "bench",
                "key_hash": key_hash,
                "created_at": now.isoformat(),
            },
        ),
        (
            "ipmarket.access_token_key.announced.v1",
            {
                "kid": kid,
                "algorithm": "EdDSA",
                "public_key": jws.public_key_text(token_key.public_key()),
                "created_at": now.isoformat(),
            },
        ),
        (
            "ipmarket.member.joined.v1",
            {
                "person_id": person_id,
                "organisation_id": licensee_id,
                "name_en": "Li Wei",
                "name_zh": "李伟",
                "email": "li.wei@example.com",
                "roles": ["buyer"],
                "joined_at": now.isoformat(),
            },
        ),
    ]
    handlers = event_handlers()
    with context.session_factory() as session, session.begin():
        for event_type, data in events:
            handlers[event_type](new_event(event_type, "/bench", "bench", data), session)
    context.engine.dispose()
    token = issue(
        token_key,
        kid,
        person_id=person_id,
        session_id=new_id(),
        name="李伟",
        memberships={licensee_id: ["buyer"]},
        platform_roles=[],
        now=now,
    )
    return key, token


def seed_catalog(url: str) -> str:
    """A vendor's member who signs in with PASSWORD; their e-mail address."""
    from services.catalog import invitations, organisations
    from services.catalog.app import build_context
    from services.catalog.domain.people import Actor

    email = "zhang.min@example.com"
    context = build_context(url)
    operator = Actor(platform_roles=frozenset({"operator"}), person_id="operator")
    with context.unit_of_work() as uow:
        vendor = organisations.register_organisation(
            uow, legal_name_en="Vendor", country="HK", roles=["vendor"]
        )
        _, link = invitations.invite_member(uow, operator, vendor.id, email, ["approver"])
        invitations.accept_invitation(uow, link, name_en="Zhang Min", password=PASSWORD)
        uow.commit()
    context.engine.dispose()
    return email


@contextmanager
def serving(service: str, env: dict):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ipmarket", "serve", service, "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS)],
        env={**os.environ, **UNTHROTTLED, "IPMARKET_LOG_LEVEL": "WARNING", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_serving(port, server)
        yield port, server.pid
    finally:
        server.terminate()
        server.wait(20)


def reading_requests(headers: dict):
    """A closed loop's request: the licensee's license requests (empty: the cost is the rest)."""

    def send(client) -> int:
        return client.request("GET", "/v1/license-requests", b"", headers)[0]

    return send


def measure(port: int, pid: int, send, seconds: float, clients: int) -> tuple[int, float, float]:
    """(requests, requests/s, server CPU ms per request) of a closed loop."""
    before = cpu_seconds(pid)
    count, rate = closed_loop(port, send, seconds, clients)
    return count, rate, 1000 * (cpu_seconds(pid) - before) / count


def main() -> None:
    import json

    from argon2.low_level import Type, hash_secret_raw

    from services.catalog.password_hashing import HASHER

    with postgres() as pg:
        licensing_url, catalog_url = fresh_database(pg, "licensing"), fresh_database(pg, "catalog")
        key, token = seed_licensing(licensing_url)
        email = seed_catalog(catalog_url)
        env = {
            "IPMARKET_LICENSING_DATABASE_URL": licensing_url,
            "IPMARKET_SIGNING_KEY_SECRET": SECRET,
        }
        with serving("licensing", env) as (port, pid):
            sends = {}
            for name, credential in (("API key", key), ("access token", token)):
                headers = {"Authorization": f"Bearer {credential}"}
                sends[name] = reading_requests(headers)
                closed_loop(port, sends[name], WARM_UP_SECONDS, CLIENTS)
            totals = {name: [0, 0.0, 0.0] for name in sends}  # requests, seconds, CPU ms
            for _ in range(ROUNDS):
                for name, send in sends.items():
                    count, rate, cpu_ms = measure(port, pid, send, ROUND_SECONDS, CLIENTS)
                    totals[name][0] += count
                    totals[name][1] += count / rate
                    totals[name][2] += cpu_ms * count
        sign_in_body = json.dumps({"email": email, "password": PASSWORD}).encode()
        sign_in_headers = {"Content-Type": "application/json"}

        def sign_in(client):
            return client.request("POST", "/v1/sessions", sign_in_body, sign_in_headers)[0]

        with serving("catalog", {"IPMARKET_CATALOG_DATABASE_URL": catalog_url}) as (port, pid):
            closed_loop(port, sign_in, WARM_UP_SECONDS, SIGN_IN_CLIENTS)
            signed_in, sign_in_rate, sign_in_cpu = measure(
                port, pid, sign_in, SIGN_IN_SECONDS, SIGN_IN_CLIENTS
            )

    encoded = HASHER.hash(PASSWORD)
    salt = os.urandom(HASHER.salt_len)
    rates = rates_of(
        {
            "hash": lambda: hash_secret_raw(
                PASSWORD.encode(),
                salt,
                time_cost=HASHER.time_cost,
                memory_cost=HASHER.memory_cost,
                parallelism=HASHER.parallelism,
                hash_len=HASHER.hash_len,
                type=Type.ID,
            ),
            "verify": lambda: HASHER.verify(encoded, PASSWORD),
        },
        seconds=4,
    )

    def line(name, value, unit, target=""):
        print(f"  {name:<52} {value:>9.3f} {unit:<10} {target}")

    print(f"identity ({WORKERS} gunicorn gevent workers, PostgreSQL, {os.cpu_count()} cores)")
    cpu = {}
    for name, (count, seconds, cpu_total) in totals.items():
        cpu[name] = cpu_total / count
        line(f"licensing GET with {name} ({count} requests)", count / seconds, "req/s")
        line(f"  server CPU per request with {name}", cpu[name], "ms")
    line(
        "  more with an access token",
        cpu["access token"] - cpu["API key"],
        "ms",
        "target ≤ 0.2",
    )
    params = f"m={HASHER.memory_cost // 1024} MiB, t={HASHER.time_cost}, p={HASHER.parallelism}"
    line(f"sign-in, closed loop ({SIGN_IN_CLIENTS} clients, {signed_in})", sign_in_rate, "/s")
    line("  server CPU per sign-in", sign_in_cpu, "ms")
    line(f"raw Argon2id hash, one core ({params})", rates["hash"], "/s")
    line("raw Argon2id verify (argon2-cffi), one core", rates["verify"], "/s")
    line(
        f"  {os.cpu_count()} cores allow at most",
        os.cpu_count() * rates["verify"],
        "sign-ins/s",
    )


if __name__ == "__main__":
    main()
