"""One marketplace for the portal's browser tests: the catalog on its own PostgreSQL database
with the demo vendors and their 50+ cores, a licensee's buyer with a password and TOTP, the
portal in front of it (both real `ipmarket serve` processes), and Debian's Chromium driven by
Playwright (installed by `make browser`; nothing is downloaded)."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
import pytest
import sqlalchemy as sa

from tests.support import Processes

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
EMAIL = "li.wei@lakeside.example"
PASSWORD = "plum kettle orbit 47"


@dataclass
class Site:
    portal: str
    catalog: str
    totp: pyotp.TOTP
    organisation_name: str


def _database(postgres, postgres_admin_engine) -> str:
    from shared.db.engine import create_engine
    from shared.db.migrations import upgrade

    name = f"catalog_{uuid.uuid4().hex[:12]}"
    with postgres_admin_engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = str(
        sa.make_url(create_engine(postgres.get_uri()).url)
        .set(database=name)
        .render_as_string(hide_password=False)
    )
    upgrade("catalog", url)
    return url


def _load(database_url: str) -> tuple[pyotp.TOTP, str]:
    """The demo catalog, and a buyer of the licensee Lakeside who signs in with a TOTP code."""
    from ipmarket.devtools import demo
    from services.catalog import invitations, second_factor
    from services.catalog.app import build_context
    from services.catalog.domain.people import Actor
    from services.catalog.unit_of_work import catalog_work

    context = build_context(database_url)
    organisations = {}
    demo.load(context, lambda key, org, api_key: organisations.__setitem__(key, org))
    licensee = next(org for org in organisations.values() if "Lakeside" in org.legal_name_en)
    operator = Actor(platform_roles=frozenset({"operator"}), person_id="operator")
    now = datetime.now(UTC)
    with context.unit_of_work() as uow:
        _, token = invitations.invite_member(uow, operator, licensee.id, EMAIL, ["buyer"])
        person, _ = invitations.accept_invitation(
            uow, token, name_en="Li Wei", name_zh="李伟", password=PASSWORD
        )
        records = catalog_work(uow).records
        totp = pyotp.parse_uri(second_factor.enrol(records, person.id, EMAIL, now))
        assert second_factor.confirm(records, person.id, totp.at(now), now)
        uow.commit()
    context.engine.dispose()
    return totp, licensee.legal_name_en


@pytest.fixture(scope="module")
def site(postgres, postgres_admin_engine, tmp_path_factory):
    database_url = _database(postgres, postgres_admin_engine)
    totp, organisation_name = _load(database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPMARKET_")}
    env.update(
        {
            "IPMARKET_CATALOG_DATABASE_URL": database_url,
            "IPMARKET_RATE_LIMIT_ANONYMOUS": "1000000/60",
            "IPMARKET_PORTAL_SECRET_KEY": "browser test secret of the portal",
        }
    )
    processes = Processes(env, tmp_path_factory.mktemp("portal-logs"))
    processes.env = env  # only these settings: no stray IPMARKET_ variable of the caller
    try:
        catalog = processes.serve("catalog")
        processes.env["IPMARKET_CATALOG_URL"] = catalog
        portal = processes.serve("portal")
        yield Site(portal, catalog, totp, organisation_name)
    finally:
        processes.stop_all()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's Chromium is missing: run `make browser`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()
