"""A reader that passes another reader's bytes through and takes their size and SHA-256 on the
way (the package worker's ciphertext, on its way to the store).

It answers `read` itself, one copy (the inner reader's): RawIOBase's own `read`, which the
store's copy and boto3 call, would allocate a buffer, copy into it and copy it again into bytes,
12 % of the worker's CPU per GiB (docs/performance.md, 2026-12-02 20:10). Hashing on another
thread was tried and costs 11 % more CPU (the chunk crosses cores) for no gain under load."""

from __future__ import annotations

import hashlib
import io


class HashingReader(io.RawIOBase):
    def __init__(self, reader: io.RawIOBase):
        self._reader = reader
        self._digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()  # (everything, in chunks: boto3 reads a small file so)
        chunk = self._reader.read(size)
        self._digest.update(chunk)
        self.size += len(chunk)
        return chunk

    def readinto(self, buffer) -> int:
        count = self._reader.readinto(buffer)
        self._digest.update(memoryview(buffer)[:count])
        self.size += count
        return count

    def hexdigest(self) -> str:
        """The SHA-256 of everything read so far."""
        return self._digest.hexdigest()
