"""`ipmarket run`: the whole marketplace on one machine, on SQLite files under var/.

Starts the Kafka broker, creates the topics, migrates the three databases, then starts the three
services (gunicorn), their outbox relays and the event consumers, each as its own process with
its log under var/log/. A process that dies (the broker too) is started again after a back-off
that doubles while it keeps dying soon after its start. Ctrl-C (or SIGTERM) stops every process
it started, the broker last.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import requests

from ipmarket.broker import Broker, die_with_parent
from shared import config
from shared.db.migrations import upgrade
from shared.messaging.kafka_io import create_topics


def service_ports() -> dict[str, int]:
    """Each service listens on the port of its public URL setting (8001–8003, deliverables
    8006, by default), the web portal on its own (8000)."""
    return {
        service: urlparse(config.get(f"IPMARKET_{service.upper()}_URL")).port
        for service in (*config.SERVICES, "portal")
    }


# The delivery worker draining a backlog must not take the machine from the APIs: fewer sends at
# once than a worker of its own would make, and a lower CPU priority (os.nice in the child).
DELIVERY_THREADS = "8"
DELIVERY_NICENESS = 10
RESTART_DELAYS = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)  # seconds, after each death in a row
STEADY_SECONDS = 60.0  # a process that ran this long before dying starts the back-off over


def processes() -> dict[str, list[str]]:
    """Name → command line of every process besides the broker."""
    ipmarket = [sys.executable, "-m", "ipmarket"]
    commands = {}
    for service, port in service_ports().items():
        commands[service] = [*ipmarket, "serve", service, "--bind", f"127.0.0.1:{port}"]
    for service in config.SERVICES:
        commands[f"{service}-relay"] = [*ipmarket, "relay", service]
    for service in ("licensing", "notify", "deliverables"):
        commands[f"{service}-consumer"] = [*ipmarket, "consume", service]
    commands["licensing-scheduler"] = [*ipmarket, "licensing-scheduler"]
    commands["deliverables-scheduler"] = [*ipmarket, "deliverables-scheduler"]
    commands["notify-deliver"] = [*ipmarket, "deliver"]
    commands["deliverables-packager"] = [*ipmarket, "deliverables-packager"]
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


def portal_secret_key(var: Path) -> dict[str, str]:
    """Zero setup: without a configured secret, the portal's session cookies are signed with
    one generated for this machine and kept in var/ (sessions outlive a restart)."""
    if config.get("IPMARKET_PORTAL_SECRET_KEY"):
        return {}
    path = var / "portal.secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return {"IPMARKET_PORTAL_SECRET_KEY": path.read_text().strip()}


@dataclass
class Child:
    """One supervised process: how to start it, and its back-off when it keeps dying."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    niceness: int = 0
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    deaths_in_a_row: int = 0
    restart_at: float | None = None  # when it is to be started again after dying

    def start(self) -> None:
        niceness = self.niceness

        def prepare() -> None:  # in the child, before exec
            die_with_parent()
            if niceness:
                os.nice(niceness)

        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=prepare,
            )
        self.started_at = time.monotonic()
        self.restart_at = None

    def check(self, now: float) -> None:
        """Notice a death (and schedule the restart) or restart when its back-off is over."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.start()
                print(
                    f"{self.name} restarted (pid {self.process.pid})", file=sys.stderr, flush=True
                )
            return
        code = self.process.poll()
        if code is None:
            return
        if now - self.started_at >= STEADY_SECONDS:
            self.deaths_in_a_row = 0
        delay = RESTART_DELAYS[min(self.deaths_in_a_row, len(RESTART_DELAYS) - 1)]
        self.deaths_in_a_row += 1
        self.restart_at = now + delay
        how = f"signal {-code}" if code < 0 else f"code {code}"
        print(
            f"{self.name} exited with {how}; restarting in {delay:.0f} s (see {self.log_path})",
            file=sys.stderr,
            flush=True,
        )


def children_of(var: Path, logs: Path) -> dict[str, Child]:
    env = {**os.environ, **payment_provider_secret(var), **portal_secret_key(var)}
    children = {}
    for name, command in processes().items():
        child_env = dict(env)
        niceness = 0
        if name == "notify-deliver":
            child_env.setdefault("IPMARKET_DELIVERY_THREADS", DELIVERY_THREADS)
            niceness = DELIVERY_NICENESS
        if name == "deliverables-packager":
            niceness = DELIVERY_NICENESS  # encrypting gigabytes must not starve the APIs
        children[name] = Child(name, command, child_env, logs / f"{name}.log", niceness)
    return children


def run_marketplace() -> int:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    var = config.var_dir()
    print(f"ipmarket: the portal will be at {config.get('IPMARKET_PORTAL_URL')}", flush=True)
    logs = var / "log"
    logs.mkdir(parents=True, exist_ok=True)
    port = int(config.get("IPMARKET_KAFKA_BOOTSTRAP").split(",")[0].rpartition(":")[2])
    broker = Broker(var / "kafka", port=port, controller_port=port + 1)
    children: dict[str, Child] = {}
    try:
        print(f"starting Kafka {broker.bootstrap} (logs in {broker.home / 'logs'}) …", flush=True)
        broker.run()
        created = create_topics(broker.bootstrap)
        print(f"topics: {'created ' + ', '.join(created) if created else 'in place'}")
        for service in config.SERVICES:
            upgrade(service)
        print(f"databases migrated ({var}/*.db)")
        children = children_of(var, logs)
        for child in children.values():
            child.start()
        if not _wait_ready({name: c.process for name, c in children.items()}, stop, logs):
            return 1
        ports = service_ports()
        print(f"\nipmarket is running: open http://127.0.0.1:{ports.pop('portal')}")
        for service, port in ports.items():
            print(f"  {service:<10} http://127.0.0.1:{port}   (OpenAPI: /openapi.json)")
        print(f"  kafka      {broker.bootstrap}")
        print(f"  logs       {logs}/   mail: {config.get('IPMARKET_MAIL_DIR')}/")
        print("Ctrl-C stops everything.", flush=True)
        broker_deaths, broker_restart_at = 0, None
        while not stop.wait(0.2):
            now = time.monotonic()
            for child in children.values():
                child.check(now)
            if broker_restart_at is not None and now >= broker_restart_at:
                broker.start()
                broker_restart_at = None
                print(
                    f"the Kafka broker restarted (pid {broker.process.pid})",
                    file=sys.stderr,
                    flush=True,
                )
            elif broker_restart_at is None and broker.process.poll() is not None:
                delay = RESTART_DELAYS[min(broker_deaths, len(RESTART_DELAYS) - 1)]
                broker_deaths += 1
                broker_restart_at = now + delay
                print(
                    f"the Kafka broker exited with {broker.process.returncode}; restarting "
                    f"in {delay:.0f} s (see {broker.home / 'logs'})",
                    file=sys.stderr,
                    flush=True,
                )
        return 0
    finally:
        print("\nstopping …", flush=True)
        running = [c.process for c in children.values() if c.process is not None]
        for process in running:
            if process.poll() is None:
                process.terminate()
        for process in running:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        broker.stop()
        print("stopped.")


def _wait_ready(
    children: dict[str, subprocess.Popen], stop: threading.Event, logs: Path, timeout: float = 180
) -> bool:
    # Generous: on a loaded 2-core machine a gunicorn worker took over 30 s to boot.
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
