"""gunicorn workers for `ipmarket serve` that bound what one client can hold.

A client that opens many connections, or announces a body and never sends it, must not take
the server from everybody else (2,100 half-sent requests once left the licensing API answering
nothing: each held one of the worker's connection slots for ever). So:

- a request's body must arrive within IPMARKET_REQUEST_READ_SECONDS of its headers
  (`BodyDeadline`), else it is answered 408 and its connection closed;
- its headers too: the gevent worker already reads them under gunicorn's keep-alive time-out;
  the thread worker (SQLite) gets the same bound on every read of the socket;
- one client address holds at most IPMARKET_CONNECTIONS_PER_ADDRESS connections per worker
  process; beyond them a connection is answered 429 at once and closed.
"""

from __future__ import annotations

import errno
import io
import json
import socket
import threading
import time
from collections import Counter
from concurrent import futures

from gunicorn.workers.ggevent import GeventWorker
from gunicorn.workers.gthread import TConn, ThreadWorker

from shared import config


def _problem(status: int, reason: str, detail: str, *extra: str) -> tuple[str, list, bytes]:
    body = json.dumps(
        {"type": "about:blank", "title": reason, "status": status, "detail": detail}
    ).encode()
    headers = [
        ("Content-Type", "application/problem+json"),
        ("Content-Length", str(len(body))),
        *(tuple(h.split(": ", 1)) for h in extra),
    ]
    return f"{status} {reason}", headers, body


class ConnectionsPerAddress:
    """Open connections per client address in this worker process, capped."""

    def __init__(self, cap: int):
        self.cap = cap
        self._open: Counter[str] = Counter()
        self._lock = threading.Lock()  # the thread worker closes connections from its threads

    def admit(self, address: str) -> bool:
        with self._lock:
            if self._open[address] >= self.cap:
                return False
            self._open[address] += 1
            return True

    def release(self, address: str) -> None:
        with self._lock:
            self._open[address] -= 1
            if self._open[address] <= 0:
                del self._open[address]

    def refuse(self, client: socket.socket) -> None:
        """Answer 429 on a connection over the cap, without reading it, and close it."""
        status, headers, body = _problem(
            429,
            "Too Many Requests",
            f"this address has {self.cap} connections open already; close some or retry",
            "Retry-After: 1",
            "Connection: close",
        )
        head = "".join(f"{k}: {v}\r\n" for k, v in headers)
        try:
            client.settimeout(1)  # a few hundred bytes: the kernel's buffer takes them
            client.sendall(f"HTTP/1.1 {status}\r\n{head}\r\n".encode() + body)
        except OSError:
            pass
        finally:
            client.close()


def _address(addr) -> str:
    return addr[0] if isinstance(addr, tuple) and addr else str(addr)


class BoundedGeventWorker(GeventWorker):
    """gunicorn's gevent worker with a cap on connections per client address."""

    def init_process(self):
        self.connections = ConnectionsPerAddress(config.get("IPMARKET_CONNECTIONS_PER_ADDRESS"))
        super().init_process()

    def handle(self, listener, client, addr):
        address = _address(addr)
        if not self.connections.admit(address):
            self.connections.refuse(client)
            return
        try:
            super().handle(listener, client, addr)
        finally:
            self.connections.release(address)


class _TimedSocket(socket.socket):
    """A client socket whose blocking reads give up after `read_seconds`: the thread worker
    sets its sockets blocking before reading headers, which would otherwise wait for ever."""

    read_seconds: float = 10.0

    def setblocking(self, flag: bool) -> None:
        self.settimeout(self.read_seconds if flag else 0.0)


class _CountedConn(TConn):
    connections: ConnectionsPerAddress

    def close(self, graceful=False):
        try:
            super().close(graceful)
        finally:
            if not getattr(self, "_released", False):
                self._released = True
                self.connections.release(_address(self.client))


class BoundedThreadWorker(ThreadWorker):
    """gunicorn's thread worker (used on SQLite) with reads bounded in time and a cap on
    connections per client address.

    A thread reading a half-sent request is held until the read bound: with `ipmarket serve`'s
    2 threads, two such requests made every other client wait the whole bound (7.5 s of 8).
    Idle keep-alive connections wait in gunicorn's selector, not in a thread, so threads are
    cheap to have: THREADS of them (or more if configured). Still, THREADS half-sent requests
    from a few addresses hold them all until the bound; the gevent worker has no such limit."""

    THREADS = 32

    def init_process(self):
        self.connections = ConnectionsPerAddress(config.get("IPMARKET_CONNECTIONS_PER_ADDRESS"))
        _TimedSocket.read_seconds = config.get("IPMARKET_REQUEST_READ_SECONDS")
        _CountedConn.connections = self.connections
        super().init_process()

    def get_thread_pool(self):
        return futures.ThreadPoolExecutor(max_workers=max(self.cfg.threads, self.THREADS))

    def accept(self, listener):
        try:
            accepted, client_addr = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        address = _address(client_addr)
        if not self.connections.admit(address):
            self.connections.refuse(accepted)
            return
        client_sock = _TimedSocket(
            accepted.family, accepted.type, accepted.proto, fileno=accepted.detach()
        )
        self.nr_conns += 1
        client_sock.setblocking(True)
        self.enqueue_req(_CountedConn(self.cfg, client_sock, client_addr, listener.getsockname()))


class BodyDeadline:
    """WSGI middleware: the whole request body is read before the application runs, and must
    arrive within `seconds`; a body still missing then is answered 408 and the connection's
    reading side shut, so that gunicorn closes it instead of waiting for the rest. Bodies over
    `max_bytes` are left to the application, which refuses them (413) without reading."""

    def __init__(self, app, seconds: float, max_bytes: int):
        self.app = app
        self.seconds = seconds
        self.max_bytes = max_bytes

    def __call__(self, environ, start_response):
        sock = environ.get("gunicorn.socket")
        length = environ.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if sock is None or not (chunked or length.isdigit() and 0 < int(length) <= self.max_bytes):
            return self.app(environ, start_response)
        expected = self.max_bytes + 1 if chunked else int(length)
        try:
            body = self._read(environ["wsgi.input"], sock, expected)
        except TimeoutError:
            try:
                sock.shutdown(socket.SHUT_RD)
            except OSError:
                pass
            status, headers, payload = _problem(
                408, "Request Timeout", f"the request body did not arrive within {self.seconds:g} s"
            )
            start_response(status, headers)
            return [payload]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)

    def _read(self, stream, sock: socket.socket, expected: int) -> bytes:
        deadline = time.monotonic() + self.seconds
        previous = sock.gettimeout()
        chunks, size = [], 0
        try:
            while size < expected:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                sock.settimeout(remaining)
                chunk = stream.read(min(expected - size, 65536))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            sock.settimeout(previous)
        return b"".join(chunks)
