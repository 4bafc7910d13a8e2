"""Uploads through the HTTP API, on both storage backends: a file in parts, resumable, checked
against its declared SHA-256; bad input refused with a problem naming the field, nothing stored."""

from __future__ import annotations

import hashlib
import io

import pytest

from services.deliverables.domain.protection import IEEE_1735
from tests.unit.services.deliverables.domain.test_protection import VERILOG_1735

MiB = 2**20
PART = 5 * MiB


@pytest.fixture(autouse=True)
def small_parts(monkeypatch):
    monkeypatch.setenv("IPMARKET_DELIVERABLE_PART_BYTES", str(PART))


def declare(client, vendor, core_id, data: bytes, **overrides):
    body = {
        "kind": "rtl",
        "file_name": "uart16550.v",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        **overrides,
    }
    return client.post(f"/v1/cores/{core_id}/uploads", json=body, headers=vendor.headers)


def send_part(client, vendor, upload_id, number, body: bytes, length: int | None = None):
    return client.put(
        f"/v1/uploads/{upload_id}/parts/{number}",
        input_stream=io.BytesIO(body),
        content_length=len(body) if length is None else length,
        content_type="application/octet-stream",
        headers=vendor.headers,
    )


def upload_whole(client, vendor, core_id, data: bytes, **overrides):
    answer = declare(client, vendor, core_id, data, **overrides)
    assert answer.status_code == 201, answer.json
    upload = answer.json
    for number in range(1, upload["part_count"] + 1):
        start = (number - 1) * upload["part_size"]
        part = send_part(client, vendor, upload["upload_id"], number,
                         data[start : start + upload["part_size"]])  # fmt: skip
        assert part.status_code == 200, part.json
    return client.post(f"/v1/uploads/{upload['upload_id']}/complete", headers=vendor.headers)


def field_of(answer) -> str:
    assert answer.content_type == "application/problem+json"
    return answer.json["errors"][0]["field"]


@pytest.fixture
def vendor(market):
    return market.organisation("Pearl River Silicon", ["vendor"])


@pytest.fixture
def core_id(market, vendor):
    return market.core(vendor)


@pytest.mark.databases("sqlite", "postgresql")  # SQLite: `make run`'s database
def test_a_file_in_parts_becomes_a_deliverable_with_its_event(client, market, vendor, core_id, app):
    data = bytes(range(256)) * (PART * 2 // 256) + b"tail"
    answer = upload_whole(client, vendor, core_id, data)
    assert answer.status_code == 201, answer.json
    deliverable = answer.json
    assert deliverable["sha256"] == hashlib.sha256(data).hexdigest()
    assert (deliverable["size"], deliverable["revision"], deliverable["protection"]) == (
        len(data), 1, None)  # fmt: skip
    listed = client.get(f"/v1/cores/{core_id}/deliverables", headers=vendor.headers).json
    assert [d["deliverable_id"] for d in listed["items"]] == [deliverable["deliverable_id"]]
    assert listed["next"] is None
    store = app.extensions["deliverables_store"]
    key = f"deliverables/{core_id}/{deliverable['deliverable_id']}"
    assert b"".join(store.get(key)) == data
    assert market.count("outbox WHERE event_type = 'ipmarket.deliverable.uploaded.v1'") == 1


def test_the_same_name_again_is_a_new_revision_and_the_first_is_unchanged(client, vendor, core_id):
    first = upload_whole(client, vendor, core_id, b"module a; endmodule\n").json
    second = upload_whole(client, vendor, core_id, b"module b; endmodule\n").json
    assert (first["revision"], second["revision"]) == (1, 2)
    assert first["sha256"] != second["sha256"]


def test_an_ieee_1735_file_is_labelled_and_passed_through_unchanged(client, vendor, core_id, app):
    answer = upload_whole(client, vendor, core_id, VERILOG_1735, kind="encrypted_rtl",
                          file_name="uart_enc.vp")  # fmt: skip
    assert answer.status_code == 201 and answer.json["protection"] == IEEE_1735
    key = f"deliverables/{core_id}/{answer.json['deliverable_id']}"
    assert b"".join(app.extensions["deliverables_store"].get(key)) == VERILOG_1735


def test_an_upload_tells_which_parts_arrived_and_completes_only_when_all_have(
    client, vendor, core_id
):
    data = b"x" * (2 * PART + 7)
    upload = declare(client, vendor, core_id, data).json
    assert (upload["part_count"], upload["missing"]) == (3, [1, 2, 3])
    send_part(client, vendor, upload["upload_id"], 2, data[PART : 2 * PART])
    state = client.get(f"/v1/uploads/{upload['upload_id']}", headers=vendor.headers).json
    assert state["parts"] == [{"number": 2, "size": PART}] and state["missing"] == [1, 3]
    early = client.post(f"/v1/uploads/{upload['upload_id']}/complete", headers=vendor.headers)
    assert early.status_code == 409 and field_of(early) == "parts"
    assert early.json["missing"] == [1, 3]


# --- bad input: a problem naming the field, and nothing stored ------------------------------


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"kind": "bitstream"}, "kind"),
        ({"file_name": "../../etc/passwd"}, "file_name"),
        ({"file_name": "rtl/uart.v"}, "file_name"),
        ({"file_name": "..\\uart.v"}, "file_name"),
        ({"file_name": "uart\x00.v"}, "file_name"),
        ({"file_name": "数据手册.pdf"}, "file_name"),
        ({"file_name": "NUL.v"}, "file_name"),
        ({"sha256": "ABC"}, "sha256"),
        ({"size": 0}, "size"),
        ({"size": 20 * 2**30 + 1}, "size"),
    ],
)
def test_a_bad_declaration_is_refused_naming_the_field(
    client, market, vendor, core_id, overrides, field
):
    answer = declare(client, vendor, core_id, b"data", **overrides)
    assert answer.status_code in (400, 422), answer.json
    assert field_of(answer) == field
    assert market.count("upload") == 0


def test_the_size_limit_is_a_setting(client, vendor, core_id, monkeypatch):
    monkeypatch.setenv("IPMARKET_DELIVERABLE_MAX_BYTES", str(2 * PART))
    answer = declare(client, vendor, core_id, b"d", size=2 * PART + 1)
    assert answer.status_code == 422 and field_of(answer) == "size"


def test_an_oversized_or_short_part_is_refused_and_nothing_of_it_kept(client, vendor, core_id):
    data = b"y" * (PART + 10)
    upload = declare(client, vendor, core_id, data).json
    too_long = send_part(client, vendor, upload["upload_id"], 1, data[: PART + 1])
    assert too_long.status_code == 413 and field_of(too_long) == "Content-Length"
    wrong_last = send_part(client, vendor, upload["upload_id"], 2, b"z" * 9)
    assert wrong_last.status_code == 422 and field_of(wrong_last) == "Content-Length"
    beyond = send_part(client, vendor, upload["upload_id"], 3, b"z" * 10)
    assert beyond.status_code == 422 and field_of(beyond) == "number"
    state = client.get(f"/v1/uploads/{upload['upload_id']}", headers=vendor.headers).json
    assert state["parts"] == []


def test_a_wrong_digest_is_refused_and_the_file_discarded(client, market, vendor, core_id, app):
    data = b"module uart; endmodule\n"
    answer = upload_whole(client, vendor, core_id, data, sha256="0" * 64)
    assert answer.status_code == 422 and field_of(answer) == "sha256"
    assert hashlib.sha256(data).hexdigest() in answer.json["detail"]
    assert market.count("deliverable") == 0 and market.count("outbox") == 0
    [upload_id] = [r for r in _upload_ids(market)]
    assert not app.extensions["deliverables_store"].exists(f"deliverables/{core_id}/{upload_id}")
    again = client.post(f"/v1/uploads/{upload_id}/complete", headers=vendor.headers)
    assert again.status_code == 409


def _upload_ids(market) -> list[str]:
    import sqlalchemy as sa

    with market.context.engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT upload_id FROM upload")).scalars())


def test_only_the_cores_vendor_may_upload_to_it(client, market, core_id):
    other_vendor = market.organisation("Other Silicon", ["vendor"])
    licensee = market.organisation("Design House", ["licensee"])
    assert declare(client, other_vendor, core_id, b"d").status_code == 404
    assert declare(client, licensee, core_id, b"d").status_code == 403
    assert client.post(f"/v1/cores/{core_id}/uploads", json={}).status_code == 401
    assert market.count("upload") == 0


def test_another_vendors_upload_is_not_found(client, market, vendor, core_id):
    upload = declare(client, vendor, core_id, b"data").json
    other = market.organisation("Other Silicon", ["vendor"])
    assert send_part(client, other, upload["upload_id"], 1, b"data").status_code == 404
    assert (
        client.get(f"/v1/uploads/{upload['upload_id']}", headers=other.headers).status_code == 404
    )
