"""The storage interface's guarantees (services/deliverables/storage/__init__.py), the same
tests on each backend: a directory, and a real S3-compatible server (SeaweedFS)."""

from __future__ import annotations

import io
import os

import pytest

from services.deliverables.storage import IncompleteBody, ObjectExists, ObjectMissing

MiB = 2**20
PART = 5 * MiB  # the S3 minimum


def read(store, key, start=0, end=None) -> bytes:
    return b"".join(store.get(key, start, end))


def test_an_object_is_stored_and_read_back_whole_and_by_range(make_store):
    store = make_store()
    data = os.urandom(3 * MiB + 17)
    assert store.put("objects/a", io.BytesIO(data)) == len(data)
    assert store.size("objects/a") == len(data)
    assert read(store, "objects/a") == data
    assert read(store, "objects/a", 5, 17) == data[5:17]
    assert read(store, "objects/a", MiB - 3, 2 * MiB + 9) == data[MiB - 3 : 2 * MiB + 9]
    assert read(store, "objects/a", len(data) - 4) == data[-4:]
    assert read(store, "objects/a", 9, 9) == b""


def test_reading_is_streamed_in_chunks(make_store):
    store = make_store()
    store.put("objects/big", io.BytesIO(os.urandom(3 * MiB)))
    chunks = list(store.get("objects/big"))
    assert len(chunks) >= 3 and max(map(len, chunks)) <= MiB


def test_objects_are_immutable(make_store):
    store = make_store()
    store.put("objects/a", io.BytesIO(b"first"))
    with pytest.raises(ObjectExists):
        store.put("objects/a", io.BytesIO(b"second"))
    assert read(store, "objects/a") == b"first"


def test_a_missing_object_is_told(make_store):
    store = make_store()
    with pytest.raises(ObjectMissing):
        read(store, "objects/none")
    with pytest.raises(ObjectMissing):
        store.size("objects/none")
    assert not store.exists("objects/none")


def test_a_deleted_object_is_gone(make_store):
    store = make_store()
    store.put("objects/a", io.BytesIO(b"x"))
    store.delete("objects/a")
    assert not store.exists("objects/a")


@pytest.mark.parametrize("key", ["../escape", "/absolute", "a/../../b", "A", "", "a//b"])
def test_keys_cannot_leave_the_store(make_store, key):
    with pytest.raises(ValueError, match="invalid object key"):
        make_store().put(key, io.BytesIO(b"x"))


def test_a_multipart_upload_joins_its_parts_in_order_whatever_order_they_came_in(make_store):
    store = make_store()
    parts = [os.urandom(PART), os.urandom(PART), os.urandom(1234)]
    upload = store.start_multipart("objects/m", PART)
    for number in (3, 1, 2):
        stored = store.upload_part("objects/m", upload, number, io.BytesIO(parts[number - 1]),
                                   len(parts[number - 1]))  # fmt: skip
        assert (stored.number, stored.size) == (number, len(parts[number - 1]))
    listed = store.parts("objects/m", upload)
    assert [(p.number, p.size) for p in listed] == [(1, PART), (2, PART), (3, 1234)]
    assert not store.exists("objects/m")  # nothing is visible before it is complete
    store.complete_multipart("objects/m", upload, listed)
    assert read(store, "objects/m") == b"".join(parts)


def test_a_restarted_process_continues_an_upload_where_it_stopped(make_store):
    first = make_store()
    data = os.urandom(2 * PART + 99)
    upload = first.start_multipart("objects/r", PART)
    first.upload_part("objects/r", upload, 1, io.BytesIO(data[:PART]), PART)
    # A new process (a new client of the same storage) asks what arrived, sends the rest.
    second = make_store()
    assert [p.number for p in second.parts("objects/r", upload)] == [1]
    second.upload_part("objects/r", upload, 3, io.BytesIO(data[2 * PART :]), 99)
    second.upload_part("objects/r", upload, 2, io.BytesIO(data[PART : 2 * PART]), PART)
    second.complete_multipart("objects/r", upload, second.parts("objects/r", upload))
    assert read(second, "objects/r") == data


def test_a_part_sent_again_replaces_the_earlier_copy(make_store):
    store = make_store()
    upload = store.start_multipart("objects/p", PART)
    store.upload_part("objects/p", upload, 1, io.BytesIO(b"a" * PART), PART)
    store.upload_part("objects/p", upload, 2, io.BytesIO(b"old"), 3)
    store.upload_part("objects/p", upload, 2, io.BytesIO(b"new"), 3)
    store.complete_multipart("objects/p", upload, store.parts("objects/p", upload))
    assert read(store, "objects/p", PART) == b"new"


@pytest.mark.parametrize("body", [b"short", b"x" * 11])
def test_a_part_of_the_wrong_length_leaves_nothing(make_store, body):
    store = make_store()
    upload = store.start_multipart("objects/w", PART)
    with pytest.raises(IncompleteBody):
        store.upload_part("objects/w", upload, 1, io.BytesIO(body), 10)
    assert store.parts("objects/w", upload) == []


def test_a_part_cut_short_after_a_whole_copy_is_not_taken_for_whole(make_store):
    store = make_store()
    upload = store.start_multipart("objects/c", PART)
    store.upload_part("objects/c", upload, 1, io.BytesIO(b"a" * 10), 10)
    with pytest.raises(IncompleteBody):
        store.upload_part("objects/c", upload, 1, io.BytesIO(b"b" * 4), 10)
    listed = store.parts("objects/c", upload)
    if listed:  # S3 keeps the earlier whole copy, the directory unmarks it: both are truthful
        store.complete_multipart("objects/c", upload, listed)
        assert read(store, "objects/c") == b"a" * 10


def test_completing_onto_an_existing_object_is_refused(make_store):
    store = make_store()
    store.put("objects/e", io.BytesIO(b"kept"))
    upload = store.start_multipart("objects/e", PART)
    store.upload_part("objects/e", upload, 1, io.BytesIO(b"other"), 5)
    with pytest.raises(ObjectExists):
        store.complete_multipart("objects/e", upload, store.parts("objects/e", upload))
    assert read(store, "objects/e") == b"kept"


def test_an_aborted_upload_is_gone(make_store):
    store = make_store()
    upload = store.start_multipart("objects/x", PART)
    store.upload_part("objects/x", upload, 1, io.BytesIO(b"abc"), 3)
    store.abort_multipart("objects/x", upload)
    with pytest.raises(ObjectMissing):
        store.parts("objects/x", upload)


@pytest.mark.parametrize("backend", ["directory"])  # (S3: every PUT is durable, sync a no-op)
def test_an_object_put_not_durable_reads_back_whole_and_syncs_later(make_store):
    store = make_store()
    data = os.urandom(MiB + 3)
    assert store.put("packages/l/f/a.age", io.BytesIO(data), durable=False) == len(data)
    assert read(store, "packages/l/f/a.age") == data  # visible whole at once, like any object
    store.sync("packages/l/f/a.age")
    with pytest.raises(ObjectMissing):
        store.sync("packages/l/f/gone.age")
