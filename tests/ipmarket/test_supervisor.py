"""`ipmarket run` (what `make run` starts) as a user sees it: on SQLite files, with its own
broker, every service ready, an event written by one service handled by another's consumer,
and Ctrl-C stopping everything."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys

import requests
import sqlalchemy as sa

from ipmarket.broker import free_port
from tests.support import PROJECT_ROOT, wait_until


def free_port_pair() -> int:
    """A port whose successor is free too (the broker's controller listens there)."""
    while True:
        port = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
                return port
            except OSError:
                continue


def test_run_starts_the_marketplace_and_ctrl_c_stops_it(tmp_path):
    ports = {s: free_port() for s in ("catalog", "licensing", "notify")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPMARKET_")}
    env.update({
        "IPMARKET_VAR_DIR": str(tmp_path / "var"),
        "IPMARKET_KAFKA_BOOTSTRAP": f"127.0.0.1:{free_port_pair()}",
        **{f"IPMARKET_{s.upper()}_URL": f"http://127.0.0.1:{p}" for s, p in ports.items()},
        "IPMARKET_PAYMENT_SIMULATOR_URL": f"http://127.0.0.1:{free_port()}",
    })
    output = open(tmp_path / "run.out", "w+")
    run = subprocess.Popen([sys.executable, "-m", "ipmarket", "run"], env=env, cwd=PROJECT_ROOT,
                           stdout=output, stderr=subprocess.STDOUT)

    def still_running():
        if run.poll() is not None:
            raise AssertionError((tmp_path / "run.out").read_text())

    try:
        wait_until(lambda: "ipmarket is running" in (tmp_path / "run.out").read_text(),
                   timeout=120, interval=0.5, what="ipmarket run to be ready",
                   check=still_running)
        for service, port in ports.items():
            answer = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
            assert answer.status_code == 200, (service, answer.text)
            assert answer.json()["checks"] == {"database": "ok"}  # readiness: the database

        created = subprocess.run(
            [sys.executable, "-m", "ipmarket", "admin", "create", "--name", "Park Operator",
             "--email", "ops@park.example"], env=env, cwd=PROJECT_ROOT, capture_output=True,
            text=True, check=True)
        org_id = json.loads(created.stdout)["organisation_id"]
        # Written by the catalog, handled by the licensing and notify consumers.
        for service in ("licensing", "notify"):
            engine = sa.create_engine(f"sqlite:///{tmp_path / 'var' / f'{service}.db'}")
            wait_until(lambda: _known(engine, org_id), timeout=30,
                       what=f"{service} to project the new organisation")
            engine.dispose()
        key = json.loads(created.stdout)["api_key"]
        whoami = requests.get(f"http://127.0.0.1:{ports['licensing']}/openapi.json",
                              headers={"Authorization": f"Bearer {key}"}, timeout=5)
        assert whoami.status_code == 200  # the catalog's key works on another service
    finally:
        run.send_signal(signal.SIGINT)
        returncode = run.wait(60)
    log = (tmp_path / "run.out").read_text()
    assert returncode == 0, log
    assert log.rstrip().endswith("stopped.")
    for port in ports.values():
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, "a service outlived Ctrl-C"


def _known(engine, org_id: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM known_organisation "
                                    "WHERE organisation_id = :id"), {"id": org_id}).scalar()
