"""Uploads that never finish, on both storage backends: their owner lists and aborts them (the
parts are deleted from the store, no part is taken after), and the sweep expires those left
longer than IPMARKET_DELIVERABLE_UPLOAD_EXPIRY_HOURS (on an injected clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.deliverables.models import Upload
from services.deliverables.scheduler import DeliverablesScheduler
from shared.db.schema import utcnow
from tests.integration.deliverables.test_uploads import PART, declare, send_part

MiB = 2**20


@pytest.fixture(autouse=True)
def small_parts(monkeypatch):
    monkeypatch.setenv("IPMARKET_DELIVERABLE_PART_BYTES", str(PART))
    monkeypatch.setenv("IPMARKET_DELIVERABLE_UPLOAD_EXPIRY_HOURS", "24")


@pytest.fixture
def vendor(market):
    return market.organisation("Pearl River Silicon", ["vendor"])


def half_sent(client, vendor, core_id, name: str) -> dict:
    """An upload of two parts with only the first sent."""
    data = b"v" * (PART + MiB)
    upload = declare(client, vendor, core_id, data, file_name=name).json
    assert send_part(client, vendor, upload["upload_id"], 1, data[:PART]).status_code == 200
    return upload


def stored_parts(app, upload_id: str) -> list:
    store = app.extensions["deliverables_store"]
    with app.extensions["ipmarket"].session_factory() as session:
        upload = session.get(Upload, upload_id)
        if not upload.storage_upload:
            return []
        try:
            return store.parts(upload.object_key, upload.storage_upload)
        except Exception:  # noqa: BLE001 - the store's upload is gone: no parts
            return []


def test_the_owner_lists_and_aborts_an_unfinished_upload_and_its_parts_are_deleted(
    app, client, market, vendor
):
    core_id = market.core(vendor)
    upload = half_sent(client, vendor, core_id, "uart.v")
    assert len(stored_parts(app, upload["upload_id"])) == 1
    listed = client.get("/v1/uploads", headers=vendor.headers)
    assert listed.status_code == 200
    [item] = listed.json["items"]
    assert item["upload_id"] == upload["upload_id"]
    assert item["expires_at"] > item["created_at"]

    other = market.organisation("Other Silicon", ["vendor"])
    assert (
        client.delete(f"/v1/uploads/{upload['upload_id']}", headers=other.headers).status_code
        == 404
    )
    aborted = client.delete(f"/v1/uploads/{upload['upload_id']}", headers=vendor.headers)
    assert aborted.status_code == 204
    assert stored_parts(app, upload["upload_id"]) == []
    assert client.get("/v1/uploads", headers=vendor.headers).json["items"] == []
    shown = client.get(f"/v1/uploads/{upload['upload_id']}", headers=vendor.headers).json
    assert (shown["state"], shown["parts"], shown["missing"]) == ("aborted", [], [])
    # No part after, no completion, no second abort.
    late = send_part(client, vendor, upload["upload_id"], 2, b"v" * MiB)
    assert late.status_code == 409 and late.json["errors"][0]["field"] == "upload_id"
    assert client.post(f"/v1/uploads/{upload['upload_id']}/complete",
                       headers=vendor.headers).status_code == 409  # fmt: skip
    again = client.delete(f"/v1/uploads/{upload['upload_id']}", headers=vendor.headers)
    assert again.status_code == 409
    assert market.count("deliverable") == 0


def test_a_completed_upload_is_not_aborted(app, client, market, vendor):
    from tests.integration.deliverables.test_uploads import upload_whole

    core_id = market.core(vendor)
    done = upload_whole(client, vendor, core_id, b"module uart; endmodule\n")
    assert done.status_code == 201
    refused = client.delete(f"/v1/uploads/{done.json['deliverable_id']}", headers=vendor.headers)
    assert refused.status_code == 409
    assert market.count("deliverable") == 1


def test_the_sweep_expires_uploads_left_past_the_setting_and_deletes_their_parts(
    app, client, market, vendor
):
    core_id = market.core(vendor)
    old, fresh = (half_sent(client, vendor, core_id, name) for name in ("old.v", "fresh.v"))
    scheduler = DeliverablesScheduler(
        app.extensions["ipmarket"], app.extensions["deliverables_store"]
    )
    declared = utcnow()
    # Injected clock: 23 hours on, nothing is due; 25 hours on, both are.
    assert scheduler.tick(declared + timedelta(hours=23))["uploads_expired"] == 0
    assert len(stored_parts(app, old["upload_id"])) == 1
    with app.extensions["ipmarket"].session_factory() as session, session.begin():
        session.get(Upload, old["upload_id"]).created_at = declared - timedelta(hours=2)
    assert scheduler.tick(declared + timedelta(hours=23))["uploads_expired"] == 1
    assert stored_parts(app, old["upload_id"]) == []
    assert len(stored_parts(app, fresh["upload_id"])) == 1
    states = {
        u["upload_id"] for u in client.get("/v1/uploads", headers=vendor.headers).json["items"]
    }
    assert states == {fresh["upload_id"]}
    late = send_part(client, vendor, old["upload_id"], 2, b"v" * MiB)
    assert late.status_code == 409
    assert scheduler.tick(declared + timedelta(hours=25))["uploads_expired"] == 1
    assert scheduler.tick(declared + timedelta(hours=26))["uploads_expired"] == 0
    assert stored_parts(app, fresh["upload_id"]) == []
