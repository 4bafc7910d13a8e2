"""The whole marketplace in one process, on PostgreSQL and a real Kafka broker: the catalog,
licensing, notify and deliverables apps, with the catalog's and licensing's relays and the
licensing, notify and deliverables consumers running beside them as `make run` runs them."""

from __future__ import annotations

import threading

import pytest

from ipmarket.cli import build_consumer
from services.catalog.app import create_app as catalog_app
from services.deliverables.app import create_app as deliverables_app
from services.deliverables.storage.directory import DirectoryStore
from services.licensing.app import create_app as licensing_app
from services.notify.app import create_app as notify_app
from shared.messaging.outbox import OutboxRelay

CONSUMERS = ("licensing", "notify", "deliverables")


class Platform:
    def __init__(self, store_dir):
        self.apps = {
            "catalog": catalog_app(),
            "licensing": licensing_app(),
            "notify": notify_app(),
            "deliverables": deliverables_app(store=DirectoryStore(store_dir)),
        }
        self.clients = {name: app.test_client() for name, app in self.apps.items()}
        self.catalog = self.apps["catalog"].extensions["ipmarket"]
        self.stop = threading.Event()
        self.threads = []
        for service in ("catalog", "licensing"):
            context = self.apps[service].extensions["ipmarket"]
            relay = OutboxRelay(context.engine, context.outbox_model.__table__)
            self.threads.append(threading.Thread(target=relay.run, args=(self.stop,), daemon=True))
        for service in CONSUMERS:
            consumer = build_consumer(service)
            self.threads.append(
                threading.Thread(target=consumer.run, args=(self.stop,), daemon=True)
            )
        for thread in self.threads:
            thread.start()

    def close(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(15)
        for app in self.apps.values():
            app.extensions["ipmarket"].engine.dispose()

    def paths(self, organisation_id: str) -> dict[str, str]:
        """An authenticated read of each service (a vendor's)."""
        return {
            "catalog": f"/v1/organisations/{organisation_id}",
            "licensing": "/v1/license-requests",
            "notify": "/v1/deliveries",
            "deliverables": "/v1/uploads",
        }

    def status(self, service: str, path: str, token: str) -> int:
        headers = {"Authorization": f"Bearer {token}"}
        return self.clients[service].get(path, headers=headers).status_code


@pytest.fixture
def platform(platform_env, make_database, monkeypatch, tmp_path):
    monkeypatch.setenv("IPMARKET_DELIVERABLES_DATABASE_URL", make_database("deliverables"))
    platform = Platform(tmp_path / "deliverables")
    yield platform
    platform.close()
