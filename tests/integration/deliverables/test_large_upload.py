"""A generated 1 GiB file uploaded in 64 MiB parts, the upload interrupted mid-part and resumed by
another process (a new app on the same database and storage), the digest verified; on both
storage backends. The file is never whole in the test's memory nor on its disk: each part is
generated from its number, and the digest is taken as the parts go."""

from __future__ import annotations

import hashlib
import io
import time

import pytest

from tests.integration.deliverables.test_uploads import declare, send_part

MiB, GiB = 2**20, 2**30
PART = 64 * MiB
SIZE = GiB


def part_data(number: int) -> bytes:
    """The same bytes for the same part, always, and different in every part and every block
    of it: AES-CTR's keystream from a counter starting at the part's number times 2^64 (a
    quarter of the CPU time of random.randbytes, and the test makes 33 parts on each backend)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    start = number.to_bytes(8, "big") + bytes(8)
    keystream = Cipher(algorithms.AES(bytes(32)), modes.CTR(start)).encryptor()
    return keystream.update(bytes(PART)) + keystream.finalize()


@pytest.mark.timeout(600)
def test_a_1_gib_file_uploaded_in_parts_interrupted_and_resumed(make_app, monkeypatch):
    monkeypatch.setenv("IPMARKET_DELIVERABLE_PART_BYTES", str(PART))
    started = time.monotonic()
    first_app = make_app()
    from tests.integration.deliverables.conftest import Marketplace

    market = Marketplace(first_app.extensions["ipmarket"])
    vendor = market.organisation("Pearl River Silicon", ["vendor"])
    core_id = market.core(vendor)
    digest = hashlib.sha256()
    for number in range(1, SIZE // PART + 1):
        digest.update(part_data(number))
    client = first_app.test_client()
    upload = declare(client, vendor, core_id, b"", size=SIZE, sha256=digest.hexdigest()).json
    assert (upload["part_size"], upload["part_count"]) == (PART, 16)
    upload_id = upload["upload_id"]
    for number in range(1, 9):
        assert send_part(client, vendor, upload_id, number, part_data(number)).status_code == 200

    # Part 9's client vanishes after 10 MiB: the part is refused, nothing of it kept.
    cut = client.put(
        f"/v1/uploads/{upload_id}/parts/9",
        input_stream=io.BytesIO(part_data(9)[: 10 * MiB]),
        content_length=PART,
        content_type="application/octet-stream",
        headers=vendor.headers,
    )
    # (422 naming the body here; behind gunicorn werkzeug may see the disconnection first: 400)
    assert cut.status_code in (400, 422) and cut.content_type == "application/problem+json"

    # Another process takes over: it learns what arrived from the storage, sends the rest.
    client = make_app().test_client()
    state = client.get(f"/v1/uploads/{upload_id}", headers=vendor.headers).json
    assert [p["number"] for p in state["parts"]] == list(range(1, 9))
    assert state["missing"] == list(range(9, 17))
    for number in state["missing"]:
        assert send_part(client, vendor, upload_id, number, part_data(number)).status_code == 200
    done = client.post(f"/v1/uploads/{upload_id}/complete", headers=vendor.headers)
    assert done.status_code == 201, done.json
    assert (done.json["size"], done.json["sha256"]) == (SIZE, digest.hexdigest())

    # What the store holds is the file itself, read back independently of the service.
    store = first_app.extensions["deliverables_store"]
    stored = hashlib.sha256()
    for chunk in store.get(f"deliverables/{core_id}/{upload_id}"):
        stored.update(chunk)
    assert stored.hexdigest() == digest.hexdigest()
    print(f"1 GiB upload, interrupted and resumed: {time.monotonic() - started:.1f} s")
