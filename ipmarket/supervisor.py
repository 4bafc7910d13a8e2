"""`ipmarket run`: the whole marketplace on one machine, on SQLite files under var/.

Starts the Kafka broker, creates the topics, migrates the three databases, then starts the three
services (gunicorn), their outbox relays and the event consumers, each as its own process with
its log under var/log/. Ctrl-C (or SIGTERM) stops every process it started, the broker last.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import requests

from ipmarket.broker import Broker, die_with_parent
from shared import config
from shared.kafka import create_topics
from shared.migrations import upgrade


def service_ports() -> dict[str, int]:
    """Each service listens on the port of its public URL setting (8001–8003 by default)."""
    return {service: urlparse(config.get(f"IPMARKET_{service.upper()}_URL")).port
            for service in config.SERVICES}


def processes() -> dict[str, list[str]]:
    """Name → command line of every process besides the broker."""
    ipmarket = [sys.executable, "-m", "ipmarket"]
    commands = {}
    for service, port in service_ports().items():
        commands[service] = [*ipmarket, "serve", service, "--bind", f"127.0.0.1:{port}"]
        commands[f"{service}-relay"] = [*ipmarket, "relay", service]
    for service in ("licensing", "notify"):
        commands[f"{service}-consumer"] = [*ipmarket, "consume", service]
    commands["licensing-scheduler"] = [*ipmarket, "licensing-scheduler"]
    commands["notify-deliver"] = [*ipmarket, "deliver"]
    commands["payment-simulator"] = [*ipmarket, "payment-simulator"]
    return commands


def payment_provider_secret(var: Path) -> dict[str, str]:
    """Zero setup: without a configured provider secret, the licensing API and the payment
    simulator share one generated for this machine and kept in var/."""
    if config.get("IPMARKET_PAYMENT_PROVIDER_SECRET"):
        return {}
    path = var / "payment-provider.secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return {"IPMARKET_PAYMENT_PROVIDER_SECRET": path.read_text().strip()}


def run_marketplace() -> int:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    var = config.var_dir()
    logs = var / "log"
    logs.mkdir(parents=True, exist_ok=True)
    port = int(config.get("IPMARKET_KAFKA_BOOTSTRAP").split(",")[0].rpartition(":")[2])
    broker = Broker(var / "kafka", port=port, controller_port=port + 1)
    children: dict[str, subprocess.Popen] = {}
    try:
        print(f"starting Kafka {broker.bootstrap} (logs in {broker.home / 'logs'}) …", flush=True)
        broker.run()
        created = create_topics(broker.bootstrap)
        print(f"topics: {'created ' + ', '.join(created) if created else 'in place'}")
        for service in config.SERVICES:
            upgrade(service)
        print(f"databases migrated ({var}/*.db)")
        env = {**os.environ, **payment_provider_secret(var)}
        for name, command in processes().items():
            log = open(logs / f"{name}.log", "ab")
            children[name] = subprocess.Popen(command, env=env, stdout=log,
                                              stderr=subprocess.STDOUT,
                                              start_new_session=True,
                                              preexec_fn=die_with_parent)
        if not _wait_ready(children, stop, logs):
            return 1
        print("\nipmarket is running:")
        for service, port in service_ports().items():
            print(f"  {service:<10} http://127.0.0.1:{port}   (OpenAPI: /openapi.json)")
        print(f"  kafka      {broker.bootstrap}")
        print(f"  logs       {logs}/   mail: {config.get('IPMARKET_MAIL_DIR')}/")
        print("Ctrl-C stops everything.", flush=True)
        while not stop.wait(1):
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"{name} exited with {child.returncode}; see {logs / name}.log",
                          file=sys.stderr)
                    return 1
            if broker.process.poll() is not None:
                print("the Kafka broker exited; see its logs", file=sys.stderr)
                return 1
        return 0
    finally:
        print("\nstopping …", flush=True)
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for child in children.values():
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
        broker.stop()
        print("stopped.")


def _wait_ready(children: dict[str, subprocess.Popen], stop: threading.Event, logs: Path,
                timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    pending = service_ports()
    while pending and time.monotonic() < deadline and not stop.is_set():
        for service, port in list(pending.items()):
            if children[service].poll() is not None:
                print(f"{service} failed to start; see {logs / service}.log", file=sys.stderr)
                return False
            try:
                if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).ok:
                    del pending[service]
            except requests.RequestException:
                pass
        time.sleep(0.3)
    if pending:
        print(f"not ready: {', '.join(pending)}", file=sys.stderr)
    return not pending
