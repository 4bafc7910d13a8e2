"""A fast webhook receiver for the notify benchmark, in its own process.

A plain HTTP/1.1 server on asyncio (keep-alive, answers 204) that notes each webhook-id and its
arrival time and hands them over in batches. It costs far less CPU per request than a thread
per connection and a queue put per arrival, and on two cores every millisecond the receiver
spends is taken from the worker being measured.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import time

REPORT_SECONDS = 0.02


class _WebhookReceiver(asyncio.Protocol):
    def __init__(self, arrived: list):
        self.arrived = arrived
        self.buffer = bytearray()
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            headers = dict(
                line.split(b":", 1) for line in bytes(self.buffer[:end]).lower().split(b"\r\n")[1:]
            )
            length = int(headers.get(b"content-length", b"0"))
            if len(self.buffer) < end + 4 + length:
                return  # the body is still on its way
            del self.buffer[: end + 4 + length]
            self.arrived.append((headers[b"webhook-id"].strip().decode(), time.time()))
            self.transport.write(b"HTTP/1.1 204 No Content\r\n\r\n")


def receive_webhooks(port: int, arrivals: multiprocessing.Queue) -> None:
    async def serve():
        arrived: list = []
        loop = asyncio.get_running_loop()
        await loop.create_server(lambda: _WebhookReceiver(arrived), "127.0.0.1", port, backlog=1024)
        while True:
            await asyncio.sleep(REPORT_SECONDS)
            if arrived:
                arrivals.put(arrived[:])
                arrived.clear()

    asyncio.run(serve())


class Arrivals:
    def __init__(self, source: multiprocessing.Queue):
        self.source = source
        self.times: dict[str, float] = {}
        self.count = 0

    def drain(self, timeout: float = 0.05) -> None:
        """Take in every batch reported so far, waiting up to `timeout` for the first."""
        try:
            batch = self.source.get(timeout=timeout)
            while True:
                for webhook_id, at in batch:
                    self.times.setdefault(webhook_id, at)
                    self.count += 1
                batch = self.source.get_nowait()
        except queue.Empty:
            pass

    def wait_for(self, ids: set[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not ids <= self.times.keys() and time.monotonic() < deadline:
            self.drain()
