"""/readyz is the database only, and answers within 3 s even when the database does not: a
Kafka outage leaves the APIs ready (writes wait in the outbox), a paused PostgreSQL makes them
not ready at once instead of hanging."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from ipmarket.broker import free_port
from services.notify.app import create_app


class StallingProxy:
    """A TCP proxy on loopback to PostgreSQL's socket that can stop forwarding, as a paused
    server looks from outside: connections are accepted (by the kernel) and never answered."""

    def __init__(self, target: str):
        self.target = target
        self.forwarding = threading.Event()
        self.forwarding.set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._sockets: list[socket.socket] = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self._sockets.append(client)
            if not self.forwarding.is_set():
                continue  # held open, never answered
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.target)
            self._sockets.append(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.forwarding.wait()  # stalled: the bytes wait here, unanswered
                sink.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        self.forwarding.set()
        for sock in self._sockets:
            sock.close()


def _timed_readyz(client) -> tuple[int, dict, float]:
    started = time.monotonic()
    response = client.get("/readyz")
    return response.status_code, response.get_json(), time.monotonic() - started


def test_ready_while_the_broker_is_unreachable(make_database, monkeypatch):
    closed = free_port()  # nothing listens there
    monkeypatch.setenv("IPMARKET_KAFKA_BOOTSTRAP", f"127.0.0.1:{closed}")
    client = create_app(make_database("notify")).test_client()
    status, body, _ = _timed_readyz(client)
    assert (status, body["status"], body["checks"]) == (200, "ready", {"database": "ok"})


def test_not_ready_within_3_s_while_postgresql_does_not_answer(
    make_database, kafka_broker, monkeypatch
):
    monkeypatch.setenv("IPMARKET_KAFKA_BOOTSTRAP", kafka_broker.bootstrap)
    url = sa.make_url(make_database("notify"))  # on the test server's Unix socket
    [server_socket] = Path(url.query["host"]).glob(".s.PGSQL.*[0-9]")
    proxy = StallingProxy(str(server_socket))
    try:
        app = create_app(
            url.set(host="127.0.0.1", port=proxy.port, query={}).render_as_string(
                hide_password=False
            )
        )
        client = app.test_client()
        assert client.get("/readyz").status_code == 200
        with app.extensions["ipmarket"].engine.connect() as connection:  # a pooled connection
            connection.execute(sa.text("SELECT 1"))

        proxy.forwarding.clear()
        answers = []
        asking = threading.Thread(target=lambda: answers.append(_timed_readyz(client)), daemon=True)
        asking.start()
        asking.join(10)  # (a hanging check is released by the finally below)
        assert answers, "/readyz did not answer within 10 s"
        status, body, elapsed = answers[0]
        assert status == 503 and body["checks"]["database"].startswith("unreachable")
        assert elapsed < 3.0

        proxy.forwarding.set()  # the database is back: so is readiness
        assert client.get("/readyz").status_code == 200
    finally:
        proxy.close()
