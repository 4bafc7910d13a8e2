"""A package file is recorded before its bytes reach the disk, then synced by the worker. A crash
of the machine in between (rows from an earlier boot, never synced; one file cut short, one
whole): its links answer 409 until the worker has read the files back; the cut one is encrypted
again and the package signed again over the new ciphertext, which Debian's `age` opens, and
the whole one kept as it was."""

from __future__ import annotations

import hashlib
import os

import pytest
import sqlalchemy as sa

from tests.integration.deliverables.test_downloads import decrypt
from tests.integration.deliverables.test_packages import (  # noqa: F401 - fixtures
    READY,
    follow,
    licensed,
    package_of,
    parties,
    verified_manifest,
    worker,
)

# An S3 PUT is durable when it answers: a crash of this machine is the directory's matter.
pytestmark = pytest.mark.parametrize("backend", ["directory"])


def by_name(claims: dict) -> dict:
    return {f["file_name"]: f for f in claims["files"]}


@pytest.mark.databases("sqlite", "postgresql")
def test_a_file_a_crash_cut_short_is_refused_then_prepared_again_and_signed_again(
    app,
    client,
    market,
    parties,  # noqa: F811
    licensed,  # noqa: F811
    worker,  # noqa: F811
    age_command,
    tmp_path,
):
    _, licensee = parties
    license_id, files, identity = licensed
    worker().drain()
    assert market.count("package_file WHERE durable = true") == 2  # synced once idle
    before = package_of(client, licensee, license_id).json
    signed_before = by_name(verified_manifest(client, before["manifest"]))
    # The machine went down before the worker synced the files: one lost its tail.
    with market.context.engine.begin() as conn:
        conn.execute(sa.text("UPDATE package_file SET durable = false,"
                             " written_boot_id = 'an-earlier-boot'"))  # fmt: skip
        keys = dict(conn.execute(sa.text(
            "SELECT d.file_name, f.object_key FROM package_file f"
            " JOIN deliverable d ON d.deliverable_id = f.deliverable_id"
        )).all())  # fmt: skip
    store = app.extensions["deliverables_store"]
    os.truncate(store.root / "objects" / keys["uart_gl.v"], 1000)
    for listed in before["files"]:  # not read back yet: neither is served
        answer = follow(client, listed["url"])
        assert answer.status_code == 409, answer.data
        assert answer.headers["Content-Type"] == "application/problem+json"
    assert market.count("download") == 0

    worker().drain()

    after = package_of(client, licensee, license_id).json
    assert after["package_id"] == before["package_id"]
    signed = by_name(verified_manifest(client, after["manifest"]))
    cut, whole = signed["uart_gl.v"], signed["uart.pdf"]
    assert cut["encrypted_sha256"] != signed_before["uart_gl.v"]["encrypted_sha256"]
    assert whole == signed_before["uart.pdf"]  # read back whole: kept, not encrypted again
    for listed in after["files"]:
        got = follow(client, listed["url"])
        assert got.status_code == 200
        claims = signed[listed["file_name"]]
        assert hashlib.sha256(got.data).hexdigest() == claims["encrypted_sha256"]
        assert len(got.data) == claims["encrypted_size"]
        opened = decrypt(age_command, tmp_path, identity, got.data)
        assert opened.returncode == 0, opened.stderr
        assert opened.stdout == files[listed["file_name"]]
    assert market.count("package_file WHERE durable = true") == 2
    assert market.count(f"outbox WHERE event_type = '{READY}'") == 2  # announced again
