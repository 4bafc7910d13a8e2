"""The browser tests of signing in: the same catalog and buyer as the storefront's (../conftest),
but the portal at http://localhost:<port> and the catalog told so (IPMARKET_PORTAL_URL), since
WebAuthn binds a passkey to a host name and refuses an IP address as relying party."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import pytest

from ipmarket.broker import free_port
from tests.e2e.portal.signing_in.catalog_site import Site, _add_buyer, _database, _load
from tests.support import Processes, _ready, wait_until


@dataclass
class LocalhostSite(Site):
    database_url: str = ""
    licensee_id: str = ""


@pytest.fixture(scope="package")
def catalog_and_portal(postgres, postgres_admin_engine, tmp_path_factory):
    """One catalog and portal for the package's modules (their start-up and the demo catalog
    were most of each module's time): what a module changes is its own buyer's."""
    database_url = _database(postgres, postgres_admin_engine)
    licensee_id = _load(database_url)
    port = free_port()
    portal = f"http://localhost:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPMARKET_")}
    env.update(
        {
            "IPMARKET_CATALOG_DATABASE_URL": database_url,
            "IPMARKET_RATE_LIMIT_ANONYMOUS": "1000000/60",
            "IPMARKET_PORTAL_SECRET_KEY": "browser test secret of the portal",
            "IPMARKET_PORTAL_URL": portal,
        }
    )
    processes = Processes(env, tmp_path_factory.mktemp("signing-in-logs"))
    processes.env = env
    try:
        catalog = _serve(processes, "catalog", free_port())
        processes.env["IPMARKET_CATALOG_URL"] = catalog
        _serve(processes, "portal", port)
        yield LocalhostSite(portal, catalog, None, database_url, licensee_id)
    finally:
        processes.stop_all()


@pytest.fixture(scope="module")
def localhost_site(catalog_and_portal, request):
    """The site, with a buyer of the module's own (its BUYER_EMAIL) when it names one."""
    email = getattr(request.module, "BUYER_EMAIL", None)
    if email is None:
        return catalog_and_portal
    totp = _add_buyer(catalog_and_portal.database_url, catalog_and_portal.licensee_id, email)
    return replace(catalog_and_portal, totp=totp)


def _serve(processes: Processes, service: str, port: int) -> str:
    """Processes.serve, but on a port chosen beforehand (the portal's URL names it) and with
    more patience for a loaded machine."""
    processes.start(service, "serve", service, "--bind", f"127.0.0.1:{port}", "--workers", "1")
    url = f"http://{'localhost' if service == 'portal' else '127.0.0.1'}:{port}"
    wait_until(lambda: _ready(url), timeout=90, interval=0.5, what=f"{service} /readyz")
    return url


def reach(page, path: str) -> None:
    """Wait for the page at `path` (a glob such as **/account would match ?next=/account)."""
    page.wait_for_url(lambda url: urlsplit(url).path == path)
