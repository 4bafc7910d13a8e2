"""The whole marketplace in one process, on PostgreSQL and a real Kafka broker: the catalog,
licensing and notify apps, with the catalog's relay and the licensing and notify consumers
running beside them as `make run` runs them."""

from __future__ import annotations

import threading

import pytest

from ipmarket.cli import build_consumer
from services.catalog.app import create_app as catalog_app
from services.licensing.app import create_app as licensing_app
from services.notify.app import create_app as notify_app
from shared.messaging.outbox import OutboxRelay


class Platform:
    def __init__(self):
        self.apps = {"catalog": catalog_app(), "licensing": licensing_app(), "notify": notify_app()}
        self.clients = {name: app.test_client() for name, app in self.apps.items()}
        self.catalog = self.apps["catalog"].extensions["ipmarket"]
        self.stop = threading.Event()
        relay = OutboxRelay(self.catalog.engine, self.catalog.outbox_model.__table__)
        self.threads = [threading.Thread(target=relay.run, args=(self.stop,), daemon=True)]
        for service in ("licensing", "notify"):
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
        """An authenticated read of each service."""
        return {
            "catalog": f"/v1/organisations/{organisation_id}",
            "licensing": "/v1/license-requests",
            "notify": "/v1/deliveries",
        }

    def status(self, service: str, path: str, token: str) -> int:
        headers = {"Authorization": f"Bearer {token}"}
        return self.clients[service].get(path, headers=headers).status_code


@pytest.fixture
def platform(platform_env):
    platform = Platform()
    yield platform
    platform.close()
