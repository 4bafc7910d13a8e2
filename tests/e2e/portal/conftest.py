"""The marketplace for the portal's browser tests (tests/e2e/portal/marketplace.py: every
service, relay and consumer as real processes on PostgreSQL and Kafka, the demo directory, and
people of each role with passwords and TOTP), once per run (all the tests using it go to one
xdist process: tests/conftest.py), and Debian's Chromium driven by
Playwright (installed by `make browser`; nothing is downloaded)."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.e2e.portal import marketplace as market

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
EMAIL = market.PEOPLE["licensee_buyer"][0]
PASSWORD = market.PASSWORD
HERE = os.path.dirname(__file__)


def pytest_collection_modifyitems(items):
    """The first test here starts the whole marketplace (thirteen processes, four databases,
    the demo): more than pytest's usual time-out on a busy machine of two cores."""
    for item in items:
        if str(item.path).startswith(HERE) and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(market.STARTING_SECONDS * 3))


def _uses_marketplace(item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    return info is not None and "marketplace" in info.name2fixturedefs


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Under xdist the marketplace's tests are one group (tests/conftest.py, ONCE_PER_RUN), run
    by one process one after another: the marketplace stops after the last of them rather than
    at the end of the run, for its thirteen processes poll and would take CPU from every test
    after them. (Without xdist the tests using it need not be adjacent: it stays up.)"""
    try:
        return (yield)
    finally:
        if (
            hasattr(item.config, "workerinput")
            and _uses_marketplace(item)
            and (nextitem is None or not _uses_marketplace(nextitem))
        ):
            for definition in item._fixtureinfo.name2fixturedefs["marketplace"]:
                definition.finish(item._request)  # and `site`, `people` that depend on it


@pytest.fixture(scope="session")
def marketplace(postgres, postgres_admin_engine, kafka_broker, tmp_path_factory):
    site = market.start(
        postgres,
        postgres_admin_engine,
        kafka_broker,
        tmp_path_factory.mktemp("marketplace"),
        market.load_people,
    )
    try:
        yield site
    finally:
        site.processes.stop_all()


@pytest.fixture(scope="session")
def site(marketplace):
    """The storefront tests' name for it."""
    return marketplace


@pytest.fixture(scope="session")
def people(marketplace) -> market.People:
    return marketplace.people


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's Chromium is missing: run `make browser`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()
