"""Files encrypted to their licensee with age (pyrage: the age format's X25519 recipients), as
a stream: the store's chunks go in, ciphertext chunks come out while the rest is still being
read, so a 20 GiB file is never whole in memory and its first bytes leave at once.

pyrage encrypts from a reader to a writer in one call; that call runs on a thread of its own
and hands its output over a small bounded queue, by the MiB, so that at most QUEUED MiB wait
for a slow client. A client that goes away stops the thread at its next hand-over."""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Iterable, Iterator

import pyrage
from pyrage import x25519

QUEUED = 8
HANDOVER_BYTES = 1024 * 1024
_DONE = object()


class InvalidRecipient(ValueError):
    pass


def parse_recipient(text: str) -> x25519.Recipient:
    try:
        return x25519.Recipient.from_str(text)
    except (pyrage.RecipientError, ValueError) as error:
        raise InvalidRecipient(str(error) or "not an age X25519 public key") from None


class _ChunkReader(io.RawIOBase):
    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._pending = memoryview(b"")  # a view: handing out a chunk in pieces copies once

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class _Stopped(Exception):
    pass


class _QueueWriter(io.RawIOBase):
    def __init__(self, out: queue.Queue, stop: threading.Event):
        self._out = out
        self._stop = stop
        self._buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        # Handed over by the MiB: one queue hand-off per 64 KiB age chunk halved the rate.
        self._buffer += data
        if len(self._buffer) >= HANDOVER_BYTES:
            self.hand_over()
        return len(data)

    def hand_over(self) -> None:
        if not self._buffer:
            return
        chunk, self._buffer = bytes(self._buffer), bytearray()
        while True:
            if self._stop.is_set():
                raise _Stopped
            try:
                self._out.put(chunk, timeout=0.5)
                return
            except queue.Full:
                continue


def encrypted(chunks: Iterable[bytes], recipients: list[x25519.Recipient]) -> Iterator[bytes]:
    """The age encryption of the concatenated `chunks` to every one of `recipients`."""
    out: queue.Queue = queue.Queue(maxsize=QUEUED)
    stop = threading.Event()

    def encrypt() -> None:
        try:
            writer = _QueueWriter(out, stop)
            pyrage.encrypt_io(_ChunkReader(chunks), writer, recipients)
            writer.hand_over()
            outcome = _DONE
        except BaseException as error:  # noqa: BLE001 - handed to the reading side
            outcome = error
        while not stop.is_set():
            try:
                out.put(outcome, timeout=0.5)
                return
            except queue.Full:
                continue

    worker = threading.Thread(target=encrypt, name="age-encrypt", daemon=True)
    worker.start()
    try:
        while True:
            item = out.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()  # the client went away, or all is sent: the thread ends at its next write
