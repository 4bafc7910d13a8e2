"""Downloads: a licensee whose license for the core version is in force gets each file encrypted
with age to its registered keys; Debian's `age` command (not our code) decrypts it with the
licensee's identity, and another identity cannot. Without a license in force: refused."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from pyrage import x25519

from shared.db.schema import new_id
from tests.integration.deliverables.test_uploads import upload_whole

MiB = 2**20


@pytest.fixture(scope="module")
def age_command() -> str:
    """Debian's `age` (installed here if missing: the tests need the real tool, not ours)."""
    if shutil.which("age") is None and shutil.which("apt-get") and os.geteuid() == 0:
        install = ["apt-get", "install", "-y", "-q", "age"]
        if subprocess.run(install, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], capture_output=True)
            subprocess.run(install, capture_output=True)
    found = shutil.which("age")
    if found is None:
        pytest.fail("the `age` command is needed: apt-get install age")
    return found


@pytest.fixture
def parties(market):
    vendor = market.organisation("Pearl River Silicon", ["vendor"])
    licensee = market.organisation("Design House", ["licensee"])
    return vendor, licensee


@pytest.fixture
def uploaded(client, market, parties):
    vendor, _ = parties
    core_id = market.core(vendor)
    data = os.urandom(3 * MiB + 5)
    answer = upload_whole(client, vendor, core_id, data, kind="netlist", file_name="uart_gl.v")
    assert answer.status_code == 201, answer.json
    return core_id, answer.json["deliverable_id"], data


def license_event(market, action, license_id, vendor, licensee, core_id):
    market.apply(
        f"ipmarket.license.{action}.v1",
        license_id,
        {
            "vendor_id": vendor.organisation_id,
            "licensee_id": licensee.organisation_id,
            "core_id": core_id,
            "vlnv": {"vendor": "pearlriver.hk", "library": "ip", "name": "uart", "version": "1.0"},
            "license_id": license_id,
        },
        source="licensing",
    )


def register(client, party, identity) -> None:
    answer = client.post(
        "/v1/recipient-keys",
        json={"public_key": str(identity.to_public()), "label": "build server"},
        headers=party.headers,
    )
    assert answer.status_code == 201, answer.json


def download(client, party, deliverable_id):
    return client.get(f"/v1/deliverables/{deliverable_id}/content", headers=party.headers)


def decrypt(age_command, tmp_path, identity, ciphertext: bytes) -> subprocess.CompletedProcess:
    key_file = tmp_path / f"identity-{new_id()}.txt"
    key_file.write_text(str(identity) + "\n")
    return subprocess.run(
        [age_command, "--decrypt", "--identity", str(key_file)],
        input=ciphertext,
        capture_output=True,
    )


@pytest.mark.databases("sqlite", "postgresql")  # SQLite: `make run`'s database
def test_a_licensee_downloads_its_file_encrypted_to_it_and_only_it_can_read_it(
    client, market, parties, uploaded, age_command, tmp_path
):
    vendor, licensee = parties
    core_id, deliverable_id, data = uploaded
    license_event(market, "issued", new_id(), vendor, licensee, core_id)
    identity = x25519.Identity.generate()
    register(client, licensee, identity)
    answer = download(client, licensee, deliverable_id)
    assert answer.status_code == 200, answer.data[:300]
    assert answer.headers["Content-Disposition"] == 'attachment; filename="uart_gl.v.age"'
    ciphertext = answer.data
    assert data not in ciphertext and ciphertext.startswith(b"age-encryption.org/v1\n")
    opened = decrypt(age_command, tmp_path, identity, ciphertext)
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout == data
    stranger = decrypt(age_command, tmp_path, x25519.Identity.generate(), ciphertext)
    assert stranger.returncode != 0 and stranger.stdout == b""

    # The copy is in the vendor's audit and the licensee's, and was announced as an event.
    [seen] = client.get(f"/v1/cores/{core_id}/downloads", headers=vendor.headers).json["items"]
    assert (seen["deliverable_id"], seen["licensee_id"]) == (deliverable_id,
                                                             licensee.organisation_id)  # fmt: skip
    assert seen["address"] and seen["actor"]["kind"] == "key"
    own = client.get("/v1/downloads", headers=licensee.headers).json["items"]
    assert [d["download_id"] for d in own] == [seen["download_id"]]
    assert market.count("outbox WHERE event_type = 'ipmarket.deliverable.downloaded.v1'") == 1
    other_vendor = market.organisation("Other Silicon", ["vendor"])
    assert client.get(f"/v1/cores/{core_id}/downloads",
                      headers=other_vendor.headers).status_code == 404  # fmt: skip


def test_every_key_of_the_licensee_can_open_its_copy(
    client, market, parties, uploaded, age_command, tmp_path
):
    vendor, licensee = parties
    core_id, deliverable_id, data = uploaded
    license_event(market, "issued", new_id(), vendor, licensee, core_id)
    identities = [x25519.Identity.generate() for _ in range(2)]
    for identity in identities:
        register(client, licensee, identity)
    ciphertext = download(client, licensee, deliverable_id).data
    for identity in identities:
        assert decrypt(age_command, tmp_path, identity, ciphertext).stdout == data


def test_without_a_license_for_that_core_version_nothing_is_told(client, market, parties, uploaded):
    vendor, licensee = parties
    _, deliverable_id, _ = uploaded
    register(client, licensee, x25519.Identity.generate())
    assert download(client, licensee, deliverable_id).status_code == 404
    other_core = market.core(vendor)
    license_event(market, "issued", new_id(), vendor, licensee, other_core)
    refused = download(client, licensee, deliverable_id)
    assert refused.status_code == 404 and refused.json["errors"][0]["field"] == "deliverable_id"
    assert download(client, licensee, new_id()).status_code == 404
    assert market.count("download") == 0  # a refusal is no download


def test_a_suspended_or_revoked_license_stops_downloads(client, market, parties, uploaded):
    vendor, licensee = parties
    core_id, deliverable_id, _ = uploaded
    register(client, licensee, x25519.Identity.generate())
    license_id = new_id()
    license_event(market, "issued", license_id, vendor, licensee, core_id)
    assert download(client, licensee, deliverable_id).status_code == 200
    license_event(market, "suspended", license_id, vendor, licensee, core_id)
    refused = download(client, licensee, deliverable_id)
    assert refused.status_code == 403 and refused.json["states"] == ["suspended"]
    license_event(market, "reinstated", license_id, vendor, licensee, core_id)
    assert download(client, licensee, deliverable_id).status_code == 200
    license_event(market, "revoked", license_id, vendor, licensee, core_id)
    license_event(market, "reinstated", license_id, vendor, licensee, core_id)  # late, stale
    refused = download(client, licensee, deliverable_id)
    assert refused.status_code == 403 and refused.json["states"] == ["revoked"]
    assert market.count("download") == 2  # the two copies that left, not the refusals


def test_a_download_needs_a_registered_key(client, market, parties, uploaded):
    vendor, licensee = parties
    core_id, deliverable_id, _ = uploaded
    license_event(market, "issued", new_id(), vendor, licensee, core_id)
    refused = download(client, licensee, deliverable_id)
    assert refused.status_code == 409
    assert refused.json["errors"][0]["field"] == "recipient_keys"


SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"


@pytest.mark.parametrize("public_key", ["age1notakey", SSH_KEY, "AGE-SECRET-KEY-1QQQQ", ""])
def test_a_bad_key_is_refused_naming_the_field(client, market, parties, public_key):
    _, licensee = parties
    answer = client.post(
        "/v1/recipient-keys", json={"public_key": public_key}, headers=licensee.headers
    )
    assert answer.status_code == 422 and answer.json["errors"][0]["field"] == "public_key"
    assert market.count("recipient_key") == 0


def test_the_vendor_downloads_nothing_here(client, parties, uploaded):
    vendor, _ = parties
    assert download(client, vendor, uploaded[1]).status_code == 403
