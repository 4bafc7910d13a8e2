"""Where deliverable files are kept, behind one small interface with two real backends: a
directory (`make run`'s default, under var/) and any S3-compatible object store (boto3).

Guarantees every backend keeps (tests/integration/deliverables/test_storage.py runs the same
tests on both):
- objects are immutable: `put` and `complete` refuse a key that exists (ObjectExists);
- an object becomes visible whole or not at all (no reader sees half a file);
- a multipart upload survives a restart of the process: `parts` lists what has arrived, and
  a part uploaded again replaces the earlier copy of that part;
- `put` with `durable` False may leave the object to the page cache until `sync`; a crash
  before it may leave it missing or short (the package worker checks it: package_settling.py);
- `get` streams, in chunks, the bytes [start, end) of an object: never the whole in memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

CHUNK = 1024 * 1024  # bytes read or written at a time
_KEY = re.compile(r"^[a-z0-9][a-z0-9/_.-]{0,254}$")


class StorageError(RuntimeError):
    pass


class ObjectExists(StorageError):
    """Objects are immutable: a new file is a new object under a new key."""


class ObjectMissing(StorageError):
    pass


class IncompleteBody(StorageError):
    """A body shorter or longer than announced: nothing of it is kept."""


@dataclass(frozen=True)
class StoredPart:
    number: int
    size: int
    etag: str


class ObjectStore(Protocol):
    def put(self, key: str, body: BinaryIO, *, durable: bool = True) -> int:
        """Store `body` (read to its end) under the new `key`; its size. With `durable` False
        the bytes may still be on their way to the disk when it returns (derived data that can
        be made again): `sync` makes them durable later."""

    def sync(self, key: str) -> None:
        """Make an object stored with `durable` False survive a crash (no-op where every put
        is durable)."""

    def get(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes [start, end) of the object (end None: to its end), in chunks."""

    def size(self, key: str) -> int: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove an object that must never be served (one that failed its digest check)."""

    def presigned_url(self, key: str, seconds: int) -> str | None:
        """A URL serving the object (with `Range`) to anyone for `seconds`, or None where the
        backend has none (a directory: the service streams it)."""

    def start_multipart(self, key: str, part_size: int) -> str:
        """A new multipart upload of `key` whose parts are `part_size` bytes, the last one
        excepted; its reference, to keep for the other calls."""

    def upload_part(
        self, key: str, upload: str, number: int, body: BinaryIO, size: int
    ) -> StoredPart:
        """Store part `number` (1-based) of exactly `size` bytes read from `body`."""

    def parts(self, key: str, upload: str) -> list[StoredPart]:
        """The parts that have arrived, by number."""

    def complete_multipart(self, key: str, upload: str, parts: list[StoredPart]) -> None:
        """Join `parts` in order into the object `key`."""

    def abort_multipart(self, key: str, upload: str) -> None: ...


def copy_exactly(body: BinaryIO, out: BinaryIO, size: int) -> None:
    """Copy exactly `size` bytes of `body` to `out` in chunks (IncompleteBody otherwise: one byte
    more than `size` is read to notice a longer body)."""
    written = 0
    while written <= size:
        chunk = body.read(min(CHUNK, size + 1 - written))
        if not chunk:
            break
        out.write(chunk)
        written += len(chunk)
    if written != size:
        more = "more than" if written > size else f"{written} bytes, not"
        raise IncompleteBody(f"the body held {more} the {size} bytes announced")


def check_key(key: str) -> str:
    """Keys are made by the service (ids), never from a user's file name; still checked, so that
    no key can reach outside a directory backend's root."""
    if not _KEY.match(key) or ".." in key or "//" in key:
        raise ValueError(f"invalid object key {key!r}")
    return key


def store_from_settings() -> ObjectStore:
    from shared import config

    if config.get("IPMARKET_DELIVERABLES_STORAGE") == "s3":
        from services.deliverables.storage.s3 import S3Store

        return S3Store.from_settings()
    from services.deliverables.storage.directory import DirectoryStore

    return DirectoryStore(config.get("IPMARKET_DELIVERABLES_DIR"))
