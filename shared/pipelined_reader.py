"""A reader whose source and each pass over the bytes (a digest's `update`) run on threads of
their own, a few slabs apart, while the caller writes what it reads: a pipeline.

Why: the package worker's encryption was one thread doing, per GiB, 0.85 s of reading and
sealing, 0.76 s of SHA-256 and 0.5 s of writing, so a second core idled. `cryptography`'s
ChaCha20-Poly1305 holds the GIL (measured: two threads encrypting take as long as one doing
both halves), but hashlib lets go of it for large buffers and so do file and socket writes: on
threads of their own they overlap with the sealing. Each slab is preallocated and reused (new
1 MiB buffers cost page faults as dear as the cipher) and is passed on as one `readinto` of the
source filled it, so a source that writes straight into it (age_stream seals into it) is never
copied; the caller's `read` is the one copy out, and `views` makes none (the package worker's
file is written straight from the slabs). Every stage sees every byte, in order, before the
caller does."""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable, Iterator, Sequence

SLAB = 1024 * 1024  # bytes passed down the pipeline at a time
DEPTH = 4  # slabs in flight: enough for each stage to have one while the others work
_END = (-1, 0)


class PipelinedReader(io.RawIOBase):
    def __init__(
        self,
        source: io.RawIOBase,
        stages: Sequence[Callable[[memoryview], object]] = (),
        *,
        slab: int = SLAB,
        depth: int = DEPTH,
    ):
        self._source = source
        self._slabs = [memoryview(bytearray(slab)) for _ in range(depth)]
        self._free: queue.SimpleQueue[int] = queue.SimpleQueue()
        for index in range(depth):
            self._free.put(index)
        # queue k feeds stage k; the last one feeds the caller. Items: (slab, bytes in it),
        # _END, or (-2, exception) passed on to the caller.
        self._queues: list[queue.SimpleQueue] = [queue.SimpleQueue() for _ in [0, *stages]]
        self._stopping = threading.Event()
        self._current: tuple[int, int] | None = None
        self._position = 0
        self._ended = False
        self.size = 0  # bytes the caller has read
        self._threads = [threading.Thread(target=self._fill, name="pipeline-source", daemon=True)]
        for k, stage in enumerate(stages):
            self._threads.append(
                threading.Thread(
                    target=self._pass, args=(stage, k), name="pipeline-stage", daemon=True
                )  # fmt: skip
            )
        for thread in self._threads:
            thread.start()

    def readable(self) -> bool:
        return True

    # --- the threads --------------------------------------------------------------------------

    def _fill(self) -> None:
        out = self._queues[0]
        try:
            while True:
                index = self._free.get()
                if self._stopping.is_set():
                    break
                count = self._source.readinto(self._slabs[index])  # passed on as it came
                if not count:
                    break
                out.put((index, count))
        except BaseException as error:  # noqa: BLE001 - handed to the caller's read
            out.put((-2, error))
            return
        out.put(_END)

    def _pass(self, stage: Callable[[memoryview], object], k: int) -> None:
        source, out = self._queues[k], self._queues[k + 1]
        while True:
            item = source.get()
            index, count = item
            if index >= 0 and not self._stopping.is_set():
                try:
                    stage(self._slabs[index][:count])
                except BaseException as error:  # noqa: BLE001 - handed to the caller's read
                    item = (-2, error)
            out.put(item)
            if index < 0 or item[0] < 0:
                return

    # --- the caller's side --------------------------------------------------------------------

    def _view(self) -> memoryview | None:
        """What is left of the slab at the head of the pipeline, or None at the end."""
        while True:
            if self._current is not None:
                index, count = self._current
                if self._position < count:
                    return self._slabs[index][self._position : count]
                self._free.put(index)
                self._current = None
            if self._ended:
                return None
            index, count = self._queues[-1].get()
            if index == -2:
                self._ended = True
                raise count
            if index < 0:
                self._ended = True
                return None
            self._current, self._position = (index, count), 0

    def readinto(self, buffer) -> int:
        view = self._view()
        if view is None:
            return 0
        size = min(len(buffer), len(view))
        buffer[:size] = view[:size]
        self._position += size
        self.size += size
        return size

    def read(self, size: int | None = -1) -> bytes:
        """One copy out of the slab (RawIOBase's own read makes two, and allocates)."""
        if size is None or size < 0:
            parts = []
            while part := self.read(SLAB):
                parts.append(part)
            return b"".join(parts)
        view = self._view()
        if view is None:
            return b""
        chunk = bytes(view[:size])
        self._position += len(chunk)
        self.size += len(chunk)
        return chunk

    def views(self) -> Iterator[memoryview]:
        """The rest of the bytes as views of the slabs themselves, each valid only until the
        next is asked for: no copy at all, for a caller that writes them straight out."""
        while (view := self._view()) is not None:
            self._position += len(view)
            self.size += len(view)
            yield view

    def close(self) -> None:
        """Stops the threads (the source's at its next slab) and closes the source."""
        if not self.closed:
            self._stopping.set()
            self._free.put(-1)  # wakes the source's thread if it waits for a slab
            for thread in self._threads:
                thread.join()
            self._source.close()
        super().close()
