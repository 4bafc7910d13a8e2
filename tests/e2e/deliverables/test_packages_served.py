"""Packages as deployed: `ipmarket deliverables-packager` (its own process) prepares the package
of a license issued; `ipmarket serve` hands it out by short-lived links; `ipmarket deliverables
fetch` (a licensee's script) downloads, checks against the signed manifest and decrypts. A 1 GiB
package file is served with the serving processes under 150 MB resident memory."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from pyrage import x25519

from ipmarket.broker import free_port
from services.deliverables.app import build_context
from services.deliverables.models import Deliverable
from services.deliverables.storage.directory import DirectoryStore
from shared.db.schema import new_id, utcnow
from shared.jws import b64url_encode
from tests.integration.deliverables.conftest import SIGNING_SECRET, Marketplace
from tests.support import PROJECT_ROOT, Processes, _ready, wait_until

MiB = 2**20
RSS_BOUND = 150 * 10**6


class Generated:
    """`size` pseudo-random bytes read as a file, hashed as they go."""

    def __init__(self, size: int):
        self.left, self.digest = size, hashlib.sha256()
        self.block = os.urandom(MiB)

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        out = (self.block * (n // MiB + 1))[:n]
        self.block = self.block[1:] + self.block[:1]  # not one block repeated
        self.digest.update(out)
        self.left -= n
        return out


@pytest.fixture
def deployed(make_database, tmp_path):
    """A served deliverables service and its packager, a vendor's core version, a licensee."""
    url = make_database("deliverables")
    context = build_context(url)
    market = Marketplace(context)
    vendor = market.organisation("Pearl River Silicon", ["vendor"])
    licensee = market.organisation("Design House", ["licensee"])
    core_id = market.core(vendor)
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPMARKET_")}
    env.update({
        "IPMARKET_VAR_DIR": str(tmp_path / "var"),
        "IPMARKET_DELIVERABLES_DATABASE_URL": url,
        "IPMARKET_DELIVERABLES_DIR": str(tmp_path / "store"),
        "IPMARKET_SIGNING_KEY_SECRET": SIGNING_SECRET,
        "IPMARKET_RATE_LIMIT_PER_KEY": "1000000/60",
        "IPMARKET_RATE_LIMIT_PER_ADDRESS": "1000000/60",
    })  # fmt: skip
    base = f"http://127.0.0.1:{(port := free_port())}"
    env["IPMARKET_DELIVERABLES_URL"] = base  # where its links point
    processes = Processes(env, tmp_path)
    processes.start("deliverables", "serve", "deliverables", "--bind", f"127.0.0.1:{port}",
                    "--workers", "1")  # fmt: skip
    wait_until(lambda: _ready(base), timeout=30, what="deliverables /readyz")
    processes.start("deliverables-packager", "deliverables-packager")
    store = DirectoryStore(tmp_path / "store")
    yield processes, base, market, store, (vendor, licensee, core_id)
    processes.stop_all()
    context.engine.dispose()


def add_file(market, store, vendor, core_id, name: str, size: int) -> str:
    """A vendor's file stored as an upload leaves it (the uploads are tested on their own)."""
    deliverable_id = new_id()
    body = Generated(size)
    store.put(f"deliverables/{core_id}/{deliverable_id}", body)
    with market.context.session_factory() as session, session.begin():
        session.add(Deliverable(
            deliverable_id=deliverable_id, core_id=core_id, vendor_id=vendor.organisation_id,
            kind="gds", file_name=name, revision=1, size=size, sha256=body.digest.hexdigest(),
            protection=None, object_key=f"deliverables/{core_id}/{deliverable_id}",
            uploaded_by={"kind": "key", "id": None}, uploaded_at=utcnow(),
        ))  # fmt: skip
    return body.digest.hexdigest()


def issue_license(market, vendor, licensee, core_id) -> str:
    license_id = new_id()
    market.apply(
        "ipmarket.license.issued.v1",
        license_id,
        {"vendor_id": vendor.organisation_id, "licensee_id": licensee.organisation_id,
         "core_id": core_id, "license_id": license_id,
         "vlnv": {"vendor": "pearlriver.hk", "library": "ip", "name": "uart", "version": "1.0"}},
        source="licensing",
    )  # fmt: skip
    return license_id


def ready_package(base, licensee, license_id, timeout):
    url = f"{base}/v1/licenses/{license_id}/package"
    found = []

    def ready():
        answer = requests.get(url, headers=licensee.headers, timeout=10)
        if answer.status_code == 200:
            found.append(answer.json())
        return answer.status_code == 200

    wait_until(ready, timeout=timeout, interval=0.5, what="the package")
    return found[0]


def license_file(license_id: str) -> str:
    """A license as licensing armours it: the fetch reads only its `jti`."""
    payload = b64url_encode(f'{{"jti":"{license_id}"}}'.encode())
    token = f"{b64url_encode(b'{}')}.{payload}.{b64url_encode(b'sig')}"
    return f"-----BEGIN IPMARKET LICENSE-----\nLicense: {license_id}\n\n{token}\n-----END IPMARKET LICENSE-----\n"  # noqa: E501


def run_fetch(processes, *args):
    return subprocess.run([sys.executable, "-m", "ipmarket", "deliverables", "fetch", *args],
                          env=processes.env, cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=300)  # fmt: skip


def test_a_license_issued_is_fetched_checked_and_decrypted_by_the_licensees_script(
    deployed, tmp_path
):
    processes, base, market, store, (vendor, licensee, core_id) = deployed
    digests = {name: add_file(market, store, vendor, core_id, name, size)
               for name, size in (("uart.gds", 3 * MiB + 1), ("uart.lef", 4000))}  # fmt: skip
    identity = x25519.Identity.generate()
    requests.post(f"{base}/v1/recipient-keys", json={"public_key": str(identity.to_public())},
                  headers=licensee.headers, timeout=30).raise_for_status()  # fmt: skip
    license_id = issue_license(market, vendor, licensee, core_id)
    ready_package(base, licensee, license_id, timeout=60)
    (tmp_path / "license.lic").write_text(license_file(license_id))
    (tmp_path / "key.txt").write_text(f"# build server\n{identity}\n")
    out = tmp_path / "out"
    key = str(tmp_path / "key.txt")
    done = run_fetch(processes, str(tmp_path / "license.lic"), "--identity", key,
                     "--out", str(out), "--api-key", licensee.key)  # fmt: skip
    assert done.returncode == 0, done.stderr
    for name, digest in digests.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in out.iterdir()) == ["manifest.jws", "uart.gds", "uart.lef"]

    # Bad input: one line, exit 2, nothing written.
    (tmp_path / "other.txt").write_text(f"{x25519.Identity.generate()}\n")
    (tmp_path / "junk.lic").write_text("not a license\n")
    for args, says in [
        ((tmp_path / "license.lic", tmp_path / "other.txt"), "none of the identities opens it"),
        ((tmp_path / "junk.lic", tmp_path / "key.txt"), "no compact JWS"),
        ((tmp_path / "missing.lic", tmp_path / "key.txt"), "cannot be read"),
        ((tmp_path / "license.lic", tmp_path / "junk.lic"), "no age identity"),
    ]:
        refused = run_fetch(processes, str(args[0]), "--identity", str(args[1]), "--out",
                            str(tmp_path / "refused"), "--api-key", licensee.key)  # fmt: skip
        assert refused.returncode == 2 and says in refused.stderr, refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        assert not [p for p in (tmp_path / "refused").glob("*") if p.name != "manifest.jws"]
    outsider = run_fetch(processes, str(tmp_path / "license.lic"), "--identity",
                         str(tmp_path / "key.txt"), "--out", str(tmp_path / "x"),
                         "--api-key", vendor.key)  # fmt: skip
    assert outsider.returncode == 2 and "403" in outsider.stderr


def resident(pid: int) -> int:
    """Bytes resident of the process and each of its children (gunicorn's master, workers)."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        pids += [int(c) for c in (task / "children").read_text().split()]
    most = 0
    for one in pids:
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                most = max(most, int(line.split()[1]) * 1024)
    return most


def test_serving_a_1_gib_package_file_keeps_the_server_under_150_mb(deployed, tmp_path):
    processes, base, market, store, (vendor, licensee, core_id) = deployed
    add_file(market, store, vendor, core_id, "soc.gds", 1024 * MiB)
    requests.post(f"{base}/v1/recipient-keys",
                  json={"public_key": str(x25519.Identity.generate().to_public())},
                  headers=licensee.headers, timeout=30).raise_for_status()  # fmt: skip
    packager = processes.running["deliverables-packager"].pid
    peaks = {"server": 0, "packager": 0}
    stop = threading.Event()

    def watch():
        server = processes.running["deliverables"].pid
        while not stop.wait(0.05):
            peaks["server"] = max(peaks["server"], resident(server))
            peaks["packager"] = max(peaks["packager"], resident(packager))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        license_id = issue_license(market, vendor, licensee, core_id)
        package = ready_package(base, licensee, license_id, timeout=600)
        [listed] = package["files"]
        started = time.perf_counter()
        digest, size = hashlib.sha256(), 0
        with requests.get(listed["url"], stream=True, timeout=60) as answer:
            assert answer.status_code == 200
            for chunk in answer.iter_content(MiB):
                if not size:
                    first_byte = time.perf_counter() - started
                digest.update(chunk)
                size += len(chunk)
        seconds = time.perf_counter() - started
    finally:
        stop.set()
        watcher.join()
    assert (size, digest.hexdigest()) == (listed["encrypted_size"], listed["encrypted_sha256"])
    print(f"1 GiB package file: first byte {first_byte * 1000:.1f} ms, served at "
          f"{size / seconds / MiB:.0f} MiB/s; peak resident: server "
          f"{peaks['server'] / 1e6:.0f} MB, packager {peaks['packager'] / 1e6:.0f} MB")  # fmt: skip
    assert peaks["server"] < RSS_BOUND and peaks["packager"] < RSS_BOUND
    # Streamed, not read whole first: the 100 ms target is bench/deliverables.py's to measure
    # quietly (this ran at 0.3 s with the machine's load at 30); 2 s catches a buffered body.
    assert first_byte < 2
