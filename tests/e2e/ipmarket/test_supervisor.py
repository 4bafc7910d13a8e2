"""`ipmarket run` (what `make run` starts) as a user sees it: on SQLite files, with its own
broker, every service ready, an event written by one service handled by another's consumer,
Ctrl-C stopping everything, and a killed process started again."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from ipmarket.broker import free_port
from tests.support import PROJECT_ROOT, wait_until


def free_port_pair(taken: set[int]) -> int:
    """A port whose successor is free too (the broker's controller listens there)."""
    while True:
        port = free_port()
        if {port, port + 1} & taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
                return port
            except OSError:
                continue


def distinct_free_ports(count: int) -> list[int]:
    """Free ports, no two alike: none is bound until its process starts, so the kernel may
    offer one twice (the deliverables API once got the broker's port and the run failed)."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


class Marketplace:
    """`ipmarket run` in a subprocess on free ports, its output in `tmp_path/run.out`."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        *service_ports, self.portal_port, simulator_port = distinct_free_ports(6)
        services = ("catalog", "licensing", "notify", "deliverables")
        self.ports = dict(zip(services, service_ports, strict=True))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("IPMARKET_")}
        self.env.update(
            {
                "IPMARKET_VAR_DIR": str(tmp_path / "var"),
                "IPMARKET_KAFKA_BOOTSTRAP": "127.0.0.1:"
                f"{free_port_pair({*service_ports, self.portal_port, simulator_port})}",
                **{
                    f"IPMARKET_{s.upper()}_URL": f"http://127.0.0.1:{p}"
                    for s, p in self.ports.items()
                },
                "IPMARKET_PAYMENT_SIMULATOR_URL": f"http://127.0.0.1:{simulator_port}",
                "IPMARKET_PORTAL_URL": f"http://127.0.0.1:{self.portal_port}",
            }
        )
        output = open(tmp_path / "run.out", "w+")
        self.run = subprocess.Popen(
            [sys.executable, "-m", "ipmarket", "run"],
            env=self.env,
            cwd=PROJECT_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    @property
    def output(self) -> str:
        return (self.tmp_path / "run.out").read_text()

    def still_running(self) -> None:
        if self.run.poll() is not None:
            raise AssertionError(self.output)

    def wait_ready(self) -> None:
        wait_until(
            lambda: "ipmarket is running" in self.output,
            timeout=200,
            interval=0.5,
            what="ipmarket run to be ready",
            check=self.still_running,
        )

    def child(self, *words: str) -> int | None:
        """The pid of the supervised process whose command line ends with `words`."""
        for pid in _children(self.run.pid):
            try:
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
            except OSError:
                continue
            if tuple(argv[-len(words) :]) == words:
                return pid
        return None

    def admin_create(self, name: str) -> dict:
        created = subprocess.run(
            [
                sys.executable,
                "-m",
                "ipmarket",
                "admin",
                "create",
                "--name",
                name,
                "--email",
                "ops@park.example",
                "--invite",  # no prompt for the operator person's password
            ],
            env=self.env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(created.stdout)

    def stop(self) -> int:
        self.run.send_signal(signal.SIGINT)
        return self.run.wait(60)


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def test_run_starts_the_marketplace_and_ctrl_c_stops_it(tmp_path):
    market = Marketplace(tmp_path)
    ports, env = market.ports, market.env
    try:
        market.wait_ready()
        for service, port in ports.items():
            answer = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
            assert answer.status_code == 200, (service, answer.text)
            assert answer.json()["checks"] == {"database": "ok"}  # readiness: the database
        portal = f"http://127.0.0.1:{market.portal_port}"
        assert market.output.startswith(f"ipmarket: the portal will be at {portal}\n")
        assert f"ipmarket is running: open {portal}" in market.output
        home = requests.get(portal, timeout=10)
        assert home.status_code == 200 and "/search?category=" in home.text  # from the catalog

        created = subprocess.run(
            [
                sys.executable,
                "-m",
                "ipmarket",
                "admin",
                "create",
                "--name",
                "Park Operator",
                "--email",
                "ops@park.example",
                "--invite",  # no prompt for the operator person's password
            ],
            env=env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        org_id = json.loads(created.stdout)["organisation_id"]
        # Written by the catalog, handled by the licensing, notify and deliverables consumers.
        for service in ("licensing", "notify", "deliverables"):
            engine = sa.create_engine(f"sqlite:///{tmp_path / 'var' / f'{service}.db'}")
            wait_until(
                lambda: _known(engine, org_id),
                timeout=30,
                what=f"{service} to project the new organisation",
            )
            engine.dispose()
        key = json.loads(created.stdout)["api_key"]
        whoami = requests.get(
            f"http://127.0.0.1:{ports['licensing']}/openapi.json",
            headers={"Authorization": f"Bearer {key}"},
            timeout=5,
        )
        assert whoami.status_code == 200  # the catalog's key works on another service
    finally:
        returncode = market.stop()
    log = market.output
    assert returncode == 0, log
    assert log.rstrip().endswith("stopped.")
    for port in [*ports.values(), market.portal_port]:
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, "a service outlived Ctrl-C"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_run_restarts_a_killed_process_and_gives_the_delivery_worker_a_bounded_share(tmp_path):
    market = Marketplace(tmp_path)
    try:
        market.wait_ready()
        deliver = market.child("deliver")
        assert (
            int(Path(f"/proc/{deliver}/stat").read_text().rsplit(")", 1)[1].split()[16]) == 10
        )  # niceness: the APIs come first
        environ = Path(f"/proc/{deliver}/environ").read_bytes().split(b"\0")
        assert b"IPMARKET_DELIVERY_THREADS=8" in environ

        # A consumer killed: started again, it handles what came meanwhile.
        consumer = market.child("consume", "licensing")
        os.kill(consumer, signal.SIGKILL)
        killed = time.monotonic()
        org_id = market.admin_create("Park Operator")["organisation_id"]
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'var' / 'licensing.db'}")
        wait_until(
            lambda: _known(engine, org_id),
            timeout=30,
            interval=0.1,
            what="the restarted licensing consumer to handle the new organisation",
            check=market.still_running,
        )
        engine.dispose()
        consumer_back = time.monotonic() - killed
        assert "licensing-consumer exited with signal 9; restarting in 1 s" in market.output
        assert market.child("consume", "licensing") not in (None, consumer)

        # An API server killed: its orphaned workers answer for a moment, then the restarted
        # server does. The longest time without an answer is what clients see.
        os.kill(
            market.child("serve", "catalog", "--bind", f"127.0.0.1:{market.ports['catalog']}"),
            signal.SIGKILL,
        )
        answered = killed = time.monotonic()
        api_down, restarted = 0.0, None
        while restarted is None or answered <= restarted:  # until the new server answers
            assert time.monotonic() < killed + 60, "the catalog API did not come back in 60 s"
            market.still_running()
            if restarted is None and "catalog restarted" in market.output:
                restarted = time.monotonic()
            if _ready(market.ports["catalog"]):
                answered = time.monotonic()
            api_down = max(api_down, time.monotonic() - answered)
            time.sleep(0.1)  # the polling interval
        assert "catalog exited with signal 9; restarting in 1 s" in market.output
    finally:
        returncode = market.stop()
    print(
        f"\nipmarket run: consumer kill -9 → event handled {consumer_back:.1f} s; "
        f"API server kill -9 → longest time without an answer {api_down:.1f} s"
    )
    assert returncode == 0, market.output


def _ready(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def _known(engine, org_id: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT count(*) FROM known_organisation WHERE organisation_id = :id"),
            {"id": org_id},
        ).scalar()
