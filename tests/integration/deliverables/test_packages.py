"""The licensee's package, prepared in the background: license issued → each file encrypted
with age to the licensee's keys (Debian's `age` opens it, another identity cannot), a manifest
signed over the plaintext and ciphertext digests that joserfc (an independent JOSE library)
verifies against the served JWKS → ipmarket.deliverables.ready.v1, once per package whatever is
redelivered or restarted; the files behind short-lived links that serve `Range`."""

from __future__ import annotations

import hashlib
import io
import json
import os
import warnings
from datetime import timedelta
from types import SimpleNamespace

import pytest
import requests
import sqlalchemy as sa
from joserfc import jws
from joserfc.jwk import KeySet
from pyrage import x25519

from services.deliverables import package_files
from services.deliverables.manifest import ManifestSigner
from services.deliverables.package_worker import PackageWorker
from shared.db.schema import new_id, utcnow
from tests.integration.deliverables.conftest import SIGNING_SECRET
from tests.integration.deliverables.test_downloads import decrypt, license_event, register
from tests.integration.deliverables.test_uploads import upload_whole

MiB = 2**20
READY = "ipmarket.deliverables.ready.v1"


@pytest.fixture
def parties(market):
    vendor = market.organisation("Pearl River Silicon", ["vendor"])
    licensee = market.organisation("Design House", ["licensee"])
    return vendor, licensee


@pytest.fixture
def worker(app, market):
    store = app.extensions["deliverables_store"]
    signer = ManifestSigner(SIGNING_SECRET.encode())

    def make():  # a worker process, started afresh
        return PackageWorker(market.context, store, signer, "http://deliverables.test")

    return make


@pytest.fixture
def licensed(client, market, parties):
    """A core version with two files, a license for it, the licensee's key registered."""
    vendor, licensee = parties
    core_id = market.core(vendor)
    files = {"uart_gl.v": os.urandom(3 * MiB + 5), "uart.pdf": os.urandom(70_000)}
    kinds = {"uart_gl.v": "netlist", "uart.pdf": "documentation"}
    for name, data in files.items():
        answer = upload_whole(client, vendor, core_id, data, kind=kinds[name], file_name=name)
        assert answer.status_code == 201, answer.json
    license_id = new_id()
    license_event(market, "issued", license_id, vendor, licensee, core_id)
    identity = x25519.Identity.generate()
    register(client, licensee, identity)
    return license_id, files, identity


def package_of(client, licensee, license_id):
    return client.get(f"/v1/licenses/{license_id}/package", headers=licensee.headers)


def follow(client, url: str, headers: dict | None = None):
    """A link's answer as a client gets it: with S3, the service checks and audits the link and
    redirects to a presigned URL of the object store, which serves the bytes and the Range."""
    answer = client.get(url, headers=headers or {})
    if answer.status_code != 302:
        return answer
    direct = requests.get(answer.headers["Location"], headers=headers or {}, timeout=60)
    return SimpleNamespace(status_code=direct.status_code, data=direct.content,
                           headers=direct.headers)  # fmt: skip


def verified_manifest(client, token: str) -> dict:
    key_set = KeySet.import_key_set(client.get("/.well-known/jwks.json").json)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc prefers the newer name "Ed25519" for EdDSA
        signed = jws.deserialize_compact(token, key_set, algorithms=["EdDSA"])
    assert signed.headers()["alg"] == "EdDSA"
    return json.loads(signed.payload)


@pytest.mark.databases("sqlite", "postgresql")  # SQLite: `make run`'s database
def test_a_license_issued_becomes_a_package_the_licensee_alone_can_open(
    client, market, parties, licensed, worker, age_command, tmp_path
):
    vendor, licensee = parties
    license_id, files, identity = licensed
    assert package_of(client, licensee, license_id).status_code == 409  # being prepared
    worker().drain()
    answer = package_of(client, licensee, license_id)
    assert answer.status_code == 200, answer.json
    package = answer.json
    claims = verified_manifest(client, package["manifest"])
    assert (claims["license_id"], claims["licensee_id"], claims["vendor_id"]) == (
        license_id, licensee.organisation_id, vendor.organisation_id,
    )  # fmt: skip
    assert claims["core"]["core_id"] == package["core_id"]
    assert claims["core"]["vlnv"]["name"] == "uart"
    assert claims["recipients"] == [str(identity.to_public())]
    assert sorted(f["file_name"] for f in claims["files"]) == sorted(files)
    for listed, signed in zip(package["files"], claims["files"], strict=True):
        assert listed["file_name"] == signed["file_name"]
        got = follow(client, listed["url"])
        assert got.status_code == 200 and got.headers["Accept-Ranges"] == "bytes"
        ciphertext = got.data
        assert hashlib.sha256(ciphertext).hexdigest() == signed["encrypted_sha256"]
        assert len(ciphertext) == signed["encrypted_size"]
        opened = decrypt(age_command, tmp_path, identity, ciphertext)
        assert opened.returncode == 0, opened.stderr
        assert opened.stdout == files[signed["file_name"]]
        assert hashlib.sha256(opened.stdout).hexdigest() == signed["sha256"]
        stranger = decrypt(age_command, tmp_path, x25519.Identity.generate(), ciphertext)
        assert stranger.returncode != 0 and stranger.stdout == b""
    # One event for the package, naming where the licensee finds it; each copy audited.
    assert market.count(f"outbox WHERE event_type = '{READY}'") == 1
    assert market.count("download") == len(files)


def test_redelivery_and_restarts_never_make_a_second_package(
    client, market, parties, licensed, worker
):
    vendor, licensee = parties
    license_id, _, _ = licensed
    worker().drain()
    core_id = package_of(client, licensee, license_id).json["core_id"]
    license_event(market, "issued", license_id, vendor, licensee, core_id)  # redelivered
    worker().drain()  # a restarted worker
    worker().drain()
    assert market.count("package") == 1 and market.count("package_file") == 2
    assert market.count(f"outbox WHERE event_type = '{READY}'") == 1


def test_a_worker_that_died_mid_file_leaves_it_to_the_next_once_its_claim_lapses(
    app, client, market, parties, licensed, worker, age_command, tmp_path
):
    _, licensee = parties
    license_id, files, identity = licensed
    store = app.extensions["deliverables_store"]
    dead = worker()
    dead.plan_next()
    with market.context.session_factory() as session, session.begin():
        claim = package_files.claim(session, utcnow(), dead.lease)
    store.put(claim.object_key, io.BytesIO(b"half of a ciphertext, never recorded"))
    # (the worker dies here)
    worker().drain()  # the claim still holds: the other file only
    assert package_of(client, licensee, license_id).status_code == 409
    assert market.count("package_file WHERE state = 'pending'") == 1
    later = worker()
    later.clock = lambda: utcnow() + later.lease
    later.drain()
    assert not store.exists(claim.object_key)  # the dead attempt's object removed
    for listed in package_of(client, licensee, license_id).json["files"]:
        opened = decrypt(age_command, tmp_path, identity, follow(client, listed["url"]).data)
        assert opened.stdout == files[listed["file_name"]]
    assert market.count(f"outbox WHERE event_type = '{READY}'") == 1
    # The dead worker wakes up and records what it had: refused, the package stays as it is.
    assert dead.store_file(claim) is False
    assert not store.exists(claim.object_key)


def test_work_comes_from_events_not_from_rescanning_licenses(
    app, client, market, parties, licensed, worker
):
    vendor, licensee = parties
    license_id, _, _ = licensed
    worker().drain()
    assert market.count("package_wanted") == 0
    # A license in force that no event announced (a row this worker never heard of): left
    # alone until the safety net's sweep, at a long interval.
    other = new_id()
    core_id = package_of(client, licensee, license_id).json["core_id"]
    with market.context.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO known_license (license_id, licensee_id, vendor_id, core_id, state,"
                " changed_at) VALUES (:l, :licensee, :vendor, :core, 'valid', :now)"
            ),
            dict(l=other, licensee=licensee.organisation_id, vendor=vendor.organisation_id,
                 core=core_id, now=utcnow()),
        )  # fmt: skip
    idle = worker()
    assert idle.step() is False
    assert package_of(client, licensee, other).status_code == 409
    idle.clock = lambda: utcnow() + idle.sweep_every
    idle.drain()
    assert package_of(client, licensee, other).status_code == 200


@pytest.mark.databases("postgresql")
def test_no_transaction_is_open_while_a_file_is_encrypted(app, market, licensed, worker):
    store = app.extensions["deliverables_store"]
    seen = []

    def open_transactions() -> int:
        with market.context.engine.connect() as conn:
            return conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND state LIKE 'idle in transaction%'"
                )
            ).scalar()

    class Watched:
        def __getattr__(self, name):
            return getattr(store, name)

        def get(self, key):
            seen.append(open_transactions())
            return store.get(key)

    busy = worker()
    busy.store = Watched()
    busy.drain()
    assert seen == [0, 0]  # two files encrypted, each with no transaction waiting on it


def test_a_file_added_makes_a_new_package_reusing_the_encrypted_ones(
    client, market, parties, licensed, worker
):
    vendor, licensee = parties
    license_id, files, _ = licensed
    worker().drain()
    first = package_of(client, licensee, license_id).json
    answer = upload_whole(client, vendor, first["core_id"], b"driver", kind="drivers",
                          file_name="uart.c")  # fmt: skip
    assert answer.status_code == 201
    worker().drain()
    second = package_of(client, licensee, license_id).json
    assert second["package_id"] != first["package_id"]
    assert len(second["files"]) == 3 and market.count("package_file") == 3  # two reused
    assert market.count(f"outbox WHERE event_type = '{READY}'") == 2
    # A second key: every file encrypted again, to both.
    register(client, licensee, x25519.Identity.generate())
    worker().drain()
    third = package_of(client, licensee, license_id).json
    assert len(third["recipients"]) == 2 and market.count("package_file") == 6


def test_links_serve_ranges_end_and_stop_with_the_license(
    app, client, market, parties, licensed, worker
):
    vendor, licensee = parties
    license_id, _, _ = licensed
    worker().drain()
    package = package_of(client, licensee, license_id).json
    listed = next(f for f in package["files"] if f["file_name"] == "uart_gl.v")
    whole = follow(client, listed["url"]).data
    part = follow(client, listed["url"], headers={"Range": "bytes=1000-1048575"})
    assert part.status_code == 206 and part.data == whole[1000:1048576]
    assert part.headers["Content-Range"] == f"bytes 1000-1048575/{len(whole)}"
    tail = follow(client, listed["url"], headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.data == whole[-10:]
    beyond = client.get(listed["url"], headers={"Range": f"bytes={len(whole) + 5}-"})
    assert beyond.status_code == 416 and beyond.json["errors"][0]["field"] == "Range"
    assert market.count("download") == 1  # the ranges after the first byte are the same copy

    forged = listed["url"].replace("signature=", "signature=0")[:-1]
    assert client.get(forged).status_code == 403
    context = app.extensions["ipmarket"]
    context.clock = lambda: utcnow() + timedelta(hours=1)
    expired = client.get(listed["url"])
    assert expired.status_code == 403 and "expired" in expired.json["detail"]
    context.clock = utcnow
    license_event(market, "revoked", license_id, vendor, licensee, package["core_id"])
    assert client.get(listed["url"]).status_code == 403
    assert package_of(client, licensee, license_id).status_code == 403


def test_nobody_else_sees_the_package(client, market, parties, licensed, worker):
    _, licensee = parties
    license_id, _, _ = licensed
    worker().drain()
    other = market.organisation("Other House", ["licensee"])
    assert package_of(client, other, license_id).status_code == 404
    assert package_of(client, licensee, new_id()).status_code == 404


def test_with_s3_a_link_redirects_to_a_presigned_url_that_ends(
    app, client, market, parties, licensed, worker, backend, monkeypatch
):
    if backend != "s3":
        pytest.skip("the directory backend streams through the service")
    _, licensee = parties
    license_id, _, _ = licensed
    worker().drain()
    listed = package_of(client, licensee, license_id).json["files"][0]
    answer = client.get(listed["url"])
    assert answer.status_code == 302 and "X-Amz-Signature=" in answer.headers["Location"]
    # The object is this license's own ciphertext (packages are stored per license).
    assert f"/packages/{license_id}/" in answer.headers["Location"]
    assert market.count("download") == 1  # checked and audited by the service all the same
    got = requests.get(answer.headers["Location"], headers={"Range": "bytes=0-99"}, timeout=60)
    assert got.status_code == 206 and len(got.content) == 100
    # A presigned URL signed two hours ago has ended (botocore's clock, moved back).
    import botocore.auth

    earlier = botocore.auth.get_current_datetime() - timedelta(hours=2)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: earlier)
    stale = client.get(listed["url"]).headers["Location"]
    monkeypatch.undo()
    refused = requests.get(stale, timeout=60)
    assert refused.status_code == 403 and b"expired" in refused.content.lower()
