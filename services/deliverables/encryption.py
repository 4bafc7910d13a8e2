"""Files encrypted to their licensee with age (pyrage: the age format's X25519 recipients), as
a stream: the store's chunks go in, ciphertext chunks come out while the rest is still being
read, so a 20 GiB file is never whole in memory and its first bytes leave at once.

pyrage encrypts from a reader to a writer in one call; that call runs on a thread of its own
and hands its output over a small bounded queue, so that at most QUEUED chunks of ~64 KiB wait
for a slow client. A client that goes away stops the thread at its next write."""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Iterable, Iterator

import pyrage
from pyrage import x25519

QUEUED = 16
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
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            self._pending = next(self._chunks, b"")
            if not self._pending:
                return 0
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

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        chunk = bytes(data)
        while True:
            if self._stop.is_set():
                raise _Stopped
            try:
                self._out.put(chunk, timeout=0.5)
                return len(chunk)
            except queue.Full:
                continue


def encrypted(chunks: Iterable[bytes], recipients: list[x25519.Recipient]) -> Iterator[bytes]:
    """The age encryption of the concatenated `chunks` to every one of `recipients`."""
    out: queue.Queue = queue.Queue(maxsize=QUEUED)
    stop = threading.Event()

    def encrypt() -> None:
        try:
            pyrage.encrypt_io(_ChunkReader(chunks), _QueueWriter(out, stop), recipients)
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
