"""PipelinedReader: every byte reaches the caller and every stage, in order, however the source
cuts them; a failure on any thread reaches the caller; closing stops every thread."""

from __future__ import annotations

import hashlib
import io
import os
import threading

import pytest

from shared.pipelined_reader import PipelinedReader


class Short(io.RawIOBase):
    """A raw reader giving at most `most` bytes a call, as a raw reader may."""

    def __init__(self, data: bytes, most: int, fail_after: int | None = None):
        self.source, self.most, self.fail_after = io.BytesIO(data), most, fail_after
        self.given = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.fail_after is not None and self.given >= self.fail_after:
            raise OSError("the store went away")
        piece = self.source.read(min(len(buffer), self.most))
        buffer[: len(piece)] = piece
        self.given += len(piece)
        return len(piece)


DATA = os.urandom(300_001)


@pytest.mark.parametrize("slab, most", [(4096, 1000), (1000, 4096), (65536, 65536)])
def test_the_caller_and_every_stage_see_every_byte_in_order(slab, most):
    first, second = hashlib.sha256(), []
    with PipelinedReader(Short(DATA, most), [first.update, second.append], slab=slab) as reader:
        out = io.BytesIO()
        while chunk := reader.read(7000):
            out.write(chunk)
            assert reader.size == out.tell()
        assert reader.read() == b""
    assert out.getvalue() == DATA
    assert first.hexdigest() == hashlib.sha256(DATA).hexdigest()
    # a slab is passed on as one readinto of the source filled it (a source that fills whole
    # slabs, like age_stream's, is never copied into a slab piece by piece)
    assert len(second) == -(-len(DATA) // min(slab, most))


def test_readinto_and_read_to_the_end():
    with PipelinedReader(Short(DATA, 5000), slab=4096, depth=2) as reader:
        buffer = bytearray(3000)
        count = reader.readinto(buffer)
        assert bytes(buffer[:count]) == DATA[:count]
        assert reader.read() == DATA[count:]
        assert reader.readinto(buffer) == 0


@pytest.mark.parametrize("where", ["source", "stage"])
def test_a_failure_on_a_thread_reaches_the_caller(where):
    def stage(view):
        if where == "stage":
            raise ValueError("the digest broke")

    source = Short(DATA, 4096, fail_after=100_000 if where == "source" else None)
    with PipelinedReader(source, [stage], slab=4096) as reader:
        with pytest.raises(OSError if where == "source" else ValueError):
            while reader.read(4096):
                pass
    assert source.closed


def test_closing_part_way_stops_every_thread_and_closes_the_source():
    before = threading.active_count()
    source = Short(DATA * 20, 4096)
    reader = PipelinedReader(source, [hashlib.sha256().update], slab=4096, depth=3)
    assert reader.read(10) == DATA[:10]
    reader.close()
    assert source.closed and threading.active_count() == before


def test_views_are_the_slabs_themselves_and_every_byte_in_order():
    seen = hashlib.sha256()
    with PipelinedReader(Short(DATA, 5000), [seen.update], slab=4096, depth=2) as reader:
        assert reader.read(10) == DATA[:10]
        views = list(bytes(view) for view in reader.views())  # each copied before the next
        assert all(len(view) <= 4096 for view in views)
        assert reader.size == len(DATA) and reader.read() == b""
    assert b"".join([DATA[:10], *views]) == DATA
    assert seen.hexdigest() == hashlib.sha256(DATA).hexdigest()
