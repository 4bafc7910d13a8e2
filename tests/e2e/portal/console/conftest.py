"""A marketplace for the console's browser tests: the catalog, licensing and notify apps with
their relay and consumers on PostgreSQL and a real Kafka broker (tests/integration/shared's
Platform), the portal served over HTTP on a free loopback port in front of them (httpx's WSGI
transport to each service), an operator with password and TOTP, and an export reviewer."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import httpx
import pyotp
import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from ipmarket.cli import main
from services.portal.app import create_app
from services.portal.catalog_api import CatalogApi
from services.portal.licensing_api import LicensingApi
from services.portal.notify_api import NotifyApi
from tests.e2e.portal.test_storefront import open_page  # noqa: F401 - the storefront's fixture
from tests.integration.shared.conftest import Platform
from tests.integration.shared.test_people_journey import invitation_link, ok, set_up_totp

OPERATOR_EMAIL, OPERATOR_PASSWORD = "ops@vip-platform.hk", "harbour lantern quiet 19"
REVIEWER_EMAIL, REVIEWER_PASSWORD = "rita.view@vip-platform.hk", "copper lantern meadow 52"


@dataclass
class Marketplace:
    platform: Platform
    portal: str
    operator_totp: pyotp.TOTP
    operator: dict  # the operator's bearer header, for the services' APIs


def _operator(platform: Platform) -> tuple[pyotp.TOTP, dict]:
    made = CliRunner().invoke(
        main,
        ["admin", "create", "--name", "Virtual IP Platform", "--country", "HK"]
        + ["--email", OPERATOR_EMAIL, "--operator-name", "Chan Tai Man"],
        input=f"{OPERATOR_PASSWORD}\n{OPERATOR_PASSWORD}\n",
        catch_exceptions=False,
    )
    assert made.exit_code == 0, made.output
    totp, session = set_up_totp(platform.clients["catalog"], OPERATOR_EMAIL, OPERATOR_PASSWORD)
    return totp, {"Authorization": f"Bearer {session['access_token']}"}


def _export_reviewer(platform: Platform, operator: dict) -> None:
    """A viewer of the platform's own organisation (invited by the operator over HTTP), made
    an export reviewer. Licensing lets a person read license requests only with a member role
    (`license_requests.read`), so a reviewer needs the membership; and neither the catalog's API
    nor its command line grants the export_reviewer role yet: the row is changed here."""
    import sqlalchemy as sa

    from services.catalog.people_models import Person

    catalog = platform.clients["catalog"]
    [membership] = ok(catalog.get("/v1/people/me", headers=operator))["memberships"]
    invitation = {"email": REVIEWER_EMAIL, "roles": ["viewer"]}
    path = f"/v1/organisations/{membership['organisation_id']}/invitations"
    ok(catalog.post(path, json=invitation, headers=operator), 201)
    accepted = {
        "token": invitation_link(platform, REVIEWER_EMAIL),
        "name_en": "Rita View",
        "name_zh": "李审",
        "password": REVIEWER_PASSWORD,
    }
    ok(catalog.post("/v1/invitations/accept", json=accepted), 201)
    with platform.catalog.engine.begin() as conn:
        conn.execute(
            sa.update(Person)
            .where(Person.email == REVIEWER_EMAIL)
            .values(platform_roles=["export_reviewer"])
        )


@pytest.fixture
def marketplace(platform_env):
    platform = Platform()

    def api(kind, name):
        return kind(f"http://{name}.test", transport=httpx.WSGITransport(app=platform.apps[name]))

    portal = create_app(
        {"IPMARKET_PORTAL_SECRET_KEY": "console browser test secret"},
        api(CatalogApi, "catalog"),
        licensing_api=api(LicensingApi, "licensing"),
        notify_api=api(NotifyApi, "notify"),
    )
    server = make_server("127.0.0.1", 0, portal, threaded=True)  # a free port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        totp, operator = _operator(platform)
        _export_reviewer(platform, operator)
        yield Marketplace(platform, f"http://127.0.0.1:{server.port}", totp, operator)
    finally:
        server.shutdown()
        thread.join(10)
        platform.close()
