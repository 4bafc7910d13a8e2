"""The three services' apps on fresh PostgreSQL databases, each with one admin key (an admin
passes every role check, so that hostile input reaches every parser)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from services.catalog.app import create_app as create_catalog
from services.catalog.organisations import create_api_key, register_organisation
from services.licensing import handlers as licensing_handlers
from services.licensing.app import create_app as create_licensing
from services.notify import handlers as notify_handlers
from services.notify.app import create_app as create_notify
from shared.db.migrations import upgrade
from shared.db.schema import new_id, utcnow
from shared.directory import generate_api_key
from shared.events import new_event


@dataclass
class Service:
    name: str
    app: object
    client: object
    headers: dict


def _project_admin(app, handlers) -> dict:
    """An admin organisation and key in a consuming service, fed through its own handlers."""
    org_id, (key, key_hash) = new_id(), generate_api_key()
    context = app.extensions["ipmarket"]
    for event_type, data in (
        (
            "ipmarket.organisation.registered.v1",
            {
                "organisation_id": org_id,
                "legal_name_en": "Operator",
                "legal_name_zh": None,
                "country": "HK",
                "region": "hong_kong",
                "roles": ["admin"],
                "locale": "en",
                "timezone": "UTC",
                "contacts": [],
                "version": 1,
            },
        ),
        (
            "ipmarket.api_key.created.v1",
            {
                "key_id": new_id(),
                "organisation_id": org_id,
                "name": "admin",
                "key_hash": key_hash,
                "created_at": utcnow().isoformat(),
            },
        ),
    ):
        event = new_event(event_type, "/ipmarket/catalog", org_id, data)
        with context.session_factory() as session, session.begin():
            handlers.event_handlers()[event.type](event, session)
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def services(postgres, postgres_admin_engine) -> dict[str, Service]:
    """Module-wide: the tests that use it only read, or are refused and change nothing."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("IPMARKET_SIGNING_KEY_SECRET", "hostile input test, long enough")
        # A payment provider configured, so the callback's parsers meet the input (without
        # one, it answers 503 before reading the body).
        monkeypatch.setenv("IPMARKET_PAYMENT_PROVIDER_SECRET", "hostile input test provider")
        urls = {
            name: _database(postgres, postgres_admin_engine, name)
            for name in ("catalog", "licensing", "notify")
        }
        for name, url in urls.items():
            monkeypatch.setenv(f"IPMARKET_{name.upper()}_DATABASE_URL", url)
        catalog = create_catalog(urls["catalog"])
        with catalog.extensions["ipmarket"].unit_of_work() as uow:
            org = register_organisation(
                uow, legal_name_en="Operator", country="HK", roles=["admin"]
            )
            _, key = create_api_key(uow, org.id, "admin")
            uow.commit()
        licensing, notify = create_licensing(urls["licensing"]), create_notify(urls["notify"])
        found = {
            "catalog": Service(
                "catalog", catalog, catalog.test_client(), {"Authorization": f"Bearer {key}"}
            ),
            "licensing": Service(
                "licensing",
                licensing,
                licensing.test_client(),
                _project_admin(licensing, licensing_handlers),
            ),
            "notify": Service(
                "notify", notify, notify.test_client(), _project_admin(notify, notify_handlers)
            ),
        }
        yield found
    for service in found.values():
        service.app.extensions["ipmarket"].engine.dispose()


def _database(postgres, admin_engine, service: str) -> str:
    """A fresh migrated database (as conftest's make_database, at module scope)."""
    name = f"{service}_{uuid.uuid4().hex[:12]}"
    with admin_engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(postgres.get_uri()).set(database=name).render_as_string(hide_password=False)
    upgrade(service, url)
    return url
